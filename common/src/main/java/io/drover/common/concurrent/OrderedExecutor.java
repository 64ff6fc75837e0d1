package io.drover.common.concurrent;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs its tasks one at a time, in the order given, on threads of a shared executor: one queue per
 * owner (a stream, a loop) without a thread per owner. Tasks wait in a lock-free queue and run in
 * turns of up to {@value #BATCH}, so that one busy owner does not keep a shared thread, or its
 * executor's timers, from the rest. A task that throws is logged and the next one runs.
 */
public final class OrderedExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(OrderedExecutor.class);

  static final int BATCH = 256;

  private final String name;
  private final Executor shared;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean turnQueued = new AtomicBoolean();

  public OrderedExecutor(String name, Executor shared) {
    this.name = name;
    this.shared = shared;
  }

  /** Queues the task; it is dropped, with a debug line, once the shared executor has shut down. */
  @Override
  public void execute(Runnable task) {
    queue.add(task);
    queueTurn();
  }

  private void queueTurn() {
    if (turnQueued.compareAndSet(false, true)) {
      try {
        shared.execute(this::turn);
      } catch (RejectedExecutionException closed) {
        queue.clear();
        log.debug("{} closed; dropping work", name);
      }
    }
  }

  private void turn() {
    for (int i = 0; i < BATCH; i++) {
      Runnable next = queue.poll();
      if (next == null) {
        break;
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.error("{}: a task failed", name, e);
      }
    }
    turnQueued.set(false);
    if (!queue.isEmpty()) {
      queueTurn();
    }
  }
}
