package io.drover.controller.catalog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a watched source reported, for assertions from the test thread. */
final class RecordingListener implements CatalogListener {
  final List<Catalog> changes = new CopyOnWriteArrayList<>();
  final List<CatalogException> problems = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();

  @Override
  public void onChange(Catalog catalog) {
    threads.add(Thread.currentThread().getName());
    changes.add(catalog);
  }

  @Override
  public void onInvalid(CatalogException problem) {
    threads.add(Thread.currentThread().getName());
    problems.add(problem);
  }

  Catalog lastChange() {
    return changes.get(changes.size() - 1);
  }
}
