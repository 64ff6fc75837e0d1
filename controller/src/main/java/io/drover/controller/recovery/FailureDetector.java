package io.drover.controller.recovery;

import io.drover.controller.nodes.NodeRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry is the heartbeat: this looks at when each node was last heard from, often enough to
 * notice lateness within a small fraction of {@code suspectAfter}, and hands every node it declares
 * lost to recovery.
 */
public final class FailureDetector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FailureDetector.class);

  /** The finest the detector looks; finer would cost CPU and gain nothing over the network. */
  private static final Duration FINEST = Duration.ofMillis(25);

  private final NodeRegistry nodes;
  private final Duration suspectAfter;
  private final Duration lostAfter;
  private final Consumer<NodeRegistry.LostNode> onLost;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "drover-failure-detector");
            t.setDaemon(true);
            return t;
          });

  public FailureDetector(
      NodeRegistry nodes,
      Duration suspectAfter,
      Duration lostAfter,
      Consumer<NodeRegistry.LostNode> onLost) {
    this.nodes = nodes;
    this.suspectAfter = suspectAfter;
    this.lostAfter = lostAfter;
    this.onLost = onLost;
  }

  /** How often the detector looks: a tenth of suspectAfter, but no finer than 25 ms. */
  public Duration period() {
    Duration tenth = suspectAfter.dividedBy(10);
    return tenth.compareTo(FINEST) < 0 ? FINEST : tenth;
  }

  public void start() {
    long periodMs = period().toMillis();
    timer.scheduleWithFixedDelay(this::sweep, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    try {
      for (NodeRegistry.LostNode lost : nodes.sweep(suspectAfter, lostAfter)) {
        onLost.accept(lost);
      }
    } catch (RuntimeException e) {
      log.error("failure detector pass failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
