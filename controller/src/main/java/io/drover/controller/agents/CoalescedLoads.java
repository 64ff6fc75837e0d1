package io.drover.controller.agents;

import io.drover.common.concurrent.SerialLoop;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Passes every report on as it comes, except container loads: those are gathered per node for a
 * short window and handed to the owner together, so that at most one such hand-over waits at any
 * time instead of one per telemetry sample. The first sample after the last hand-over opens the
 * window; when it ends, one hand-over is queued with the owner, which takes what was gathered when
 * it runs it, so that it sees the latest loads, never more than the window plus its own queue later
 * than it would have seen them message by message.
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
   * Loads gathered since the last hand-over was taken, per node; replaced, not cleared, when one is
   * taken. A map as given is not changed (like the owner, this reads it later and relies on the
   * caller no longer changing it); merging two samples of a node makes a new one.
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
      Map<String, ContainerLoad> earlier = waiting.putIfAbsent(nodeId, loads);
      if (earlier != null) {
        Map<String, ContainerLoad> merged = new HashMap<>(earlier);
        merged.putAll(loads);
        waiting.put(nodeId, merged);
      }
      first = !queued;
      queued = true;
    }
    if (first) {
      if (timer == null) {
        owner.containerLoads(nodeId, new HandOver());
      } else {
        timer.schedule(window, () -> owner.containerLoads(nodeId, new HandOver()));
      }
    }
  }

  /**
   * What was gathered until the owner first looks at it: taken then, on the owner's thread, so that
   * samples that came while the hand-over waited ride along with it. The nodes' maps are read as
   * they are, not copied into one: the owner copies what it reads anyway.
   */
  private final class HandOver extends AbstractMap<String, ContainerLoad> {
    private Collection<Map<String, ContainerLoad>> taken;
    private int size;

    private Collection<Map<String, ContainerLoad>> taken() {
      if (taken == null) {
        Map<String, Map<String, ContainerLoad>> gathered;
        synchronized (lock) {
          // Taken and cleared together: a sample gathered from now on queues a hand-over of its
          // own.
          gathered = waiting;
          waiting = new HashMap<>(Math.max(16, gathered.size() * 2));
          queued = false;
        }
        taken = gathered.values();
        for (Map<String, ContainerLoad> loads : taken) {
          size += loads.size();
        }
      }
      return taken;
    }

    @Override
    public Set<Entry<String, ContainerLoad>> entrySet() {
      Collection<Map<String, ContainerLoad>> maps = taken();
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, ContainerLoad>> iterator() {
          return new Flat(maps.iterator());
        }

        @Override
        public int size() {
          return size;
        }
      };
    }

    @Override
    public int size() {
      taken();
      return size;
    }
  }

  /** The entries of several maps, one map after the other. */
  private static final class Flat implements Iterator<Map.Entry<String, ContainerLoad>> {
    private final Iterator<Map<String, ContainerLoad>> maps;
    private Iterator<Map.Entry<String, ContainerLoad>> entries = Collections.emptyIterator();

    Flat(Iterator<Map<String, ContainerLoad>> maps) {
      this.maps = maps;
    }

    @Override
    public boolean hasNext() {
      while (!entries.hasNext()) {
        if (!maps.hasNext()) {
          return false;
        }
        entries = maps.next().entrySet().iterator();
      }
      return true;
    }

    @Override
    public Map.Entry<String, ContainerLoad> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      // The map's own entry, not a copy for each of thousands: the owner only reads it.
      return entries.next();
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
