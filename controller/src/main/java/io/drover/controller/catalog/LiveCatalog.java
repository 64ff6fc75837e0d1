package io.drover.controller.catalog;

import java.util.Optional;

/**
 * The catalog in force: loaded at start, replaced by each valid change the source reports, and kept
 * when a change is invalid. Readers on any thread see the latest good catalog.
 */
public final class LiveCatalog implements AutoCloseable {
  private final CatalogSource source;
  private final CatalogListener downstream;
  private volatile Catalog current;
  private volatile CatalogException problem;

  private LiveCatalog(CatalogSource source, Catalog initial, CatalogListener downstream) {
    this.source = source;
    this.current = initial;
    this.downstream = downstream;
  }

  /**
   * Loads the catalog and watches the source, which it then owns and closes.
   *
   * @param downstream told of each change after it is in force; may be a no-op
   * @throws CatalogException when the catalog is invalid at start: there is no good one to keep
   */
  public static LiveCatalog start(CatalogSource source, CatalogListener downstream) {
    LiveCatalog live = new LiveCatalog(source, source.load(), downstream);
    source.watch(live.new Listener());
    return live;
  }

  public Catalog current() {
    return current;
  }

  /** Why the source's latest content is not in force; empty while it is. */
  public Optional<CatalogException> problem() {
    return Optional.ofNullable(problem);
  }

  public String describe() {
    return source.describe();
  }

  @Override
  public void close() {
    source.close();
  }

  private final class Listener implements CatalogListener {
    @Override
    public void onChange(Catalog catalog) {
      current = catalog;
      problem = null;
      downstream.onChange(catalog);
    }

    @Override
    public void onInvalid(CatalogException invalid) {
      problem = invalid;
      downstream.onInvalid(invalid);
    }
  }
}
