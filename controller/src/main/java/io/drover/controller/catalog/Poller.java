package io.drover.controller.catalog;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a check on its own daemon thread, again and again, until closed. */
final class Poller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  private final ScheduledExecutorService executor;
  private final String name;

  Poller(String name, Duration interval, Runnable check) {
    this.name = name;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        () -> runGuarded(check), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A periodic task that throws is never run again: log instead, and try at the next tick. */
  private void runGuarded(Runnable check) {
    try {
      check.run();
    } catch (Throwable t) {
      log.error("{}: check failed; trying again at the next tick", name, t);
    }
  }

  @Override
  public void close() {
    shutdown(executor);
  }

  static void shutdown(ExecutorService executor) {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("a catalog watcher did not stop within 10s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
