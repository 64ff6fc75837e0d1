package io.drover.controller.agents;

import io.drover.common.concurrent.SerialLoop;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Passes every report on as it comes, except container loads: the latest sample of each node is
 * kept for a short window and the samples are handed to the owner together ({@link
 * AgentEvents#nodeLoads}), so that at most one such hand-over waits at any time instead of one per
 * telemetry sample. The first sample after the last hand-over opens the window; when it ends, one
 * hand-over is queued with the owner, which takes what was gathered when it runs it, so that it
 * sees the latest loads, never more than the window plus its own queue later than it would have
 * seen them message by message.
 *
 * <p>The window is what makes gathering pay: without it the owner's loop is usually idle, so each
 * sample queued a hand-over of its own and woke the loop's thread for 20 loads. With a window of 50
 * ms, 10,000 nodes a second make 20 hand-overs of 500 nodes each. Loads are sampled once a second,
 * so a load that is 50 ms older when the owner sees it changes no decision.
 */
public final class CoalescedLoads implements AgentEvents, AutoCloseable {
  /** How long loads are gathered before they are handed over, by default. */
  public static final Duration WINDOW = Duration.ofMillis(50);

  private final AgentEvents owner;
  private final Duration window;

  /** Runs the hand-overs after the window; null when they are handed over at once. */
  private final SerialLoop timer;

  private final Object lock = new Object();

  /**
   * The latest sample of each node since the last hand-over was taken; replaced, not cleared, when
   * one is taken. A map as given is not changed (like the owner, this reads it later and relies on
   * the caller no longer changing it).
   */
  private Map<String, Map<String, ContainerLoad>> waiting = new HashMap<>();

  /** Whether a hand-over is queued (or its window open) and not yet taken. */
  private boolean queued;

  /** Hands loads over at once, with no window: one hand-over at a time still waits. */
  public CoalescedLoads(AgentEvents owner) {
    this(owner, Duration.ZERO);
  }

  /**
   * @param window how long to gather loads before handing them over; zero hands them over at once
   */
  public CoalescedLoads(AgentEvents owner, Duration window) {
    this.owner = owner;
    this.window = window;
    this.timer = window.isZero() ? null : new SerialLoop("drover-container-loads");
  }

  @Override
  public void containerLoads(String nodeId, Map<String, ContainerLoad> loads) {
    boolean first;
    synchronized (lock) {
      // A node's sample holds every container it runs: the newer replaces the older.
      waiting.put(nodeId, loads);
      first = !queued;
      queued = true;
    }
    if (first) {
      if (timer == null) {
        owner.nodeLoads(new HandOver());
      } else {
        timer.schedule(window, () -> owner.nodeLoads(new HandOver()));
      }
    }
  }

  /**
   * What was gathered until the owner first looks at it: taken then, on the owner's thread, so that
   * samples that came while the hand-over waited ride along with it.
   */
  private final class HandOver extends AbstractMap<String, Map<String, ContainerLoad>> {
    private Map<String, Map<String, ContainerLoad>> taken;

    private Map<String, Map<String, ContainerLoad>> taken() {
      if (taken == null) {
        synchronized (lock) {
          // Taken and cleared together: a sample gathered from now on queues a hand-over of its
          // own.
          taken = waiting;
          waiting = new HashMap<>(Math.max(16, taken.size() * 2));
          queued = false;
        }
      }
      return taken;
    }

    @Override
    public Set<Entry<String, Map<String, ContainerLoad>>> entrySet() {
      return Collections.unmodifiableMap(taken()).entrySet();
    }

    @Override
    public Map<String, ContainerLoad> get(Object nodeId) {
      return taken().get(nodeId);
    }

    @Override
    public int size() {
      return taken().size();
    }
  }

  /** Stops the window's timer; loads gathered and not yet handed over are dropped. */
  @Override
  public void close() {
    if (timer != null) {
      timer.close();
    }
  }

  @Override
  public void sessionOpened(String nodeId, long epoch, List<ContainerView> containers) {
    owner.sessionOpened(nodeId, epoch, containers);
  }

  @Override
  public void sessionClosed(String nodeId, long epoch) {
    owner.sessionClosed(nodeId, epoch);
  }

  @Override
  public void containerChanged(String nodeId, ContainerView container, String commandId) {
    owner.containerChanged(nodeId, container, commandId);
  }

  @Override
  public void overload(String nodeId, String instanceId, String reason) {
    owner.overload(nodeId, instanceId, reason);
  }

  @Override
  public void error(String nodeId, String instanceId, String error) {
    owner.error(nodeId, instanceId, error);
  }
}
