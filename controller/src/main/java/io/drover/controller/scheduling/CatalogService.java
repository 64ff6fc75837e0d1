package io.drover.controller.scheduling;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.catalog.ArtifactPolicy;
import io.drover.controller.catalog.Catalog;
import io.drover.controller.catalog.CatalogException;
import io.drover.controller.catalog.CatalogListener;
import io.drover.controller.catalog.CatalogParser;
import io.drover.controller.catalog.CatalogSource;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the catalog in force: loads it from its source at start, follows the source's changes,
 * writes what {@code drover apply} sends, and hands each valid catalog to the scheduler. An invalid
 * catalog is refused with every problem named, and the last good one stays in force.
 */
public final class CatalogService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CatalogService.class);

  private final Optional<CatalogSource> source;
  private final Path baseDir;
  private final Scheduler scheduler;
  private final EventJournal events;
  private final ArtifactPolicy artifacts;
  private final ExecutorService io =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "drover-catalog");
            t.setDaemon(true);
            return t;
          });
  private volatile String inForce = "";

  /**
   * @param source empty when no catalog is configured: nothing runs until one is
   * @param baseDir relative artifact paths are resolved against it
   * @param artifacts what every artifact must name; a catalog that breaks it is rejected whole
   */
  public CatalogService(
      Optional<CatalogSource> source,
      Path baseDir,
      Scheduler scheduler,
      EventJournal events,
      ArtifactPolicy artifacts) {
    this.artifacts = artifacts;
    this.source = source;
    this.baseDir = baseDir;
    this.scheduler = scheduler;
    this.events = events;
  }

  /** Loads the catalog and starts following its source. */
  public void start() {
    if (source.isEmpty()) {
      log.info("no catalog configured; nothing will run until one is");
      return;
    }
    CatalogSource s = source.get();
    try {
      inForce(s.load(), "loaded from " + s.describe());
    } catch (CatalogException e) {
      rejected(e, "the catalog in " + s.describe() + " is invalid; nothing runs until it is fixed");
    } catch (RuntimeException e) {
      log.error("cannot read the catalog from {}", s.describe(), e);
      events.publish(
          EventKind.CATALOG_REJECTED,
          "catalog",
          "cannot read the catalog from " + s.describe() + ": " + e.getMessage());
    }
    s.watch(
        new CatalogListener() {
          @Override
          public void onChange(Catalog catalog) {
            try {
              inForce(catalog, "changed in " + s.describe());
            } catch (CatalogException e) {
              onInvalid(e);
            }
          }

          @Override
          public void onInvalid(CatalogException problem) {
            rejected(
                problem,
                "the changed catalog in "
                    + s.describe()
                    + " is invalid; the last good one stays in force");
          }
        });
  }

  /**
   * Validates {@code yaml} and writes it to the source; the scheduler gets it at once.
   *
   * @return the number of services now in force
   */
  public CompletableFuture<Integer> apply(String yaml, String name) {
    if (source.isEmpty()) {
      return CompletableFuture.failedFuture(
          new FailedPreconditionException(
              "the controller has no catalog source; start it with --catalog FILE or"
                  + " catalog.source: postgres"));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            // Checked before the source stores it: a refused catalog changes nothing.
            artifacts.check(CatalogParser.parse(name, yaml));
            Catalog catalog = source.get().apply(yaml, name);
            inForce(catalog, "applied from " + name);
            return catalog.services().size();
          } catch (CatalogException e) {
            rejected(
                e,
                "the catalog applied from "
                    + name
                    + " is invalid; the last good one stays in force");
            throw new InvalidArgumentException("catalog", String.join("; ", e.problems()));
          }
        },
        io);
  }

  public String describe() {
    return source.map(CatalogSource::describe).orElse("no catalog source");
  }

  private synchronized void inForce(Catalog catalog, String how) {
    artifacts.check(catalog);
    String hash = catalog.contentHash();
    scheduler.plans(CatalogPlans.from(catalog, baseDir));
    if (!hash.equals(inForce)) {
      inForce = hash;
      events.publish(
          EventKind.CATALOG_APPLIED,
          "catalog",
          "catalog "
              + how
              + ": "
              + catalog.services().size()
              + " service(s) "
              + catalog.services().stream().map(s -> s.name()).toList(),
          Map.of("hash", hash));
    }
  }

  private void rejected(CatalogException e, String what) {
    log.warn("{}: {}", what, String.join("; ", e.problems()));
    events.publish(
        EventKind.CATALOG_REJECTED,
        "catalog",
        what + ": " + String.join("; ", e.problems()),
        Map.of("problems", Integer.toString(e.problems().size())));
  }

  @Override
  public void close() {
    source.ifPresent(CatalogSource::close);
    io.shutdownNow();
  }
}
