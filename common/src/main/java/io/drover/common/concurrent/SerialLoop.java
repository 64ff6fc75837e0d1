package io.drover.common.concurrent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns some state: every change to it is queued here and runs in order, so the
 * state needs no locks. Callers on any thread (gRPC callbacks included) only queue work and never
 * wait. A task that throws is logged and the loop goes on; after {@link #close()} work is dropped.
 */
public final class SerialLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SerialLoop.class);

  private final String name;
  private final ScheduledExecutorService executor;

  // Work waits in the ordered executor's queue, not in the scheduled executor's: that queue is a
  // heap ordered by due time, and with thousands of tasks queued (a burst of container reports)
  // every task cost log n comparisons to queue and to take, on the loop's thread and the callers'.
  private final OrderedExecutor tasks;

  public SerialLoop(String name) {
    this.name = name;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    this.tasks = new OrderedExecutor(name, executor);
  }

  public void run(Runnable task) {
    if (executor.isShutdown()) {
      log.debug("{} closed; dropping work", name);
      return;
    }
    tasks.execute(task);
  }

  /** Runs {@code work} on the loop; the future completes with its result or its exception. */
  public <T> CompletableFuture<T> call(Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    run(
        () -> {
          try {
            result.complete(work.get());
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  public void schedule(Duration delay, Runnable work) {
    try {
      executor.schedule(guarded(work), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      log.debug("{} closed; dropping a timer", name);
    }
  }

  /** Runs {@code work} every {@code period}, the first time after one period. */
  public void every(Duration period, Runnable work) {
    executor.scheduleWithFixedDelay(
        guarded(work), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Runnable guarded(Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        log.error("{}: a task failed", name, e);
      }
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
