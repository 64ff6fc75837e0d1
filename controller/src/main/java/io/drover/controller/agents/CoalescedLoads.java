package io.drover.controller.agents;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Passes every report on as it comes, except container loads: those are merged per node while a
 * hand-over to the owner is already queued, so that at most one such hand-over waits at any time
 * instead of one per telemetry sample. The owner (the scheduler's loop) takes what was merged when
 * it runs the hand-over, so that it sees the same latest loads it would have seen message by
 * message, and never later: a hand-over is queued with the first sample after the last one ran.
 */
public final class CoalescedLoads implements AgentEvents {
  private final AgentEvents owner;

  /**
   * Loads merged since the queued hand-over was queued, per node. A map as given is not changed
   * (like the owner, this reads it later and relies on the caller no longer changing it); merging
   * makes a new one.
   */
  private final Map<String, Map<String, ContainerLoad>> waiting = new ConcurrentHashMap<>();

  private final AtomicBoolean queued = new AtomicBoolean();

  public CoalescedLoads(AgentEvents owner) {
    this.owner = owner;
  }

  @Override
  public void containerLoads(String nodeId, Map<String, ContainerLoad> loads) {
    waiting.merge(
        nodeId,
        loads,
        (earlier, latest) -> {
          Map<String, ContainerLoad> merged = new HashMap<>(earlier);
          merged.putAll(latest);
          return merged;
        });
    if (queued.compareAndSet(false, true)) {
      owner.containerLoads(nodeId, new HandOver());
    }
  }

  /**
   * What was merged until the owner first looks at it: taken then, on the owner's thread, so that
   * samples that came while the hand-over waited ride along with it. The nodes' maps are read as
   * they are, not copied into one: the owner copies what it reads anyway.
   */
  private final class HandOver extends AbstractMap<String, ContainerLoad> {
    private List<Map<String, ContainerLoad>> taken;
    private int size;

    private List<Map<String, ContainerLoad>> taken() {
      if (taken == null) {
        // Cleared first: a sample merged from now on queues a hand-over of its own.
        queued.set(false);
        taken = new ArrayList<>(Math.min(waiting.size(), 1024));
        for (String node : waiting.keySet()) {
          Map<String, ContainerLoad> loads = waiting.remove(node);
          if (loads != null) {
            taken.add(loads);
            size += loads.size();
          }
        }
      }
      return taken;
    }

    @Override
    public Set<Entry<String, ContainerLoad>> entrySet() {
      List<Map<String, ContainerLoad>> maps = taken();
      if (maps.size() == 1) {
        return Collections.unmodifiableMap(maps.get(0)).entrySet();
      }
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, ContainerLoad>> iterator() {
          return maps.stream().flatMap(m -> m.entrySet().stream()).iterator();
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
