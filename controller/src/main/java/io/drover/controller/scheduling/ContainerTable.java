package io.drover.controller.scheduling;

import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.containers.JvmProfile;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The containers one node reports, in the order they were first seen, with its spares (IDLE or
 * STARTING, no instance) kept apart and indexed by JVM profile: placement asks every node, for
 * every instance, for its first free IDLE container and its number of starting spares of one
 * profile, and a node may run thousands of containers that are not spares.
 */
final class ContainerTable {
  private final Map<String, ContainerView> all = new LinkedHashMap<>();
  private final Map<String, ContainerView> spares = new LinkedHashMap<>();
  private final Map<JvmProfile, Map<String, ContainerView>> idleByProfile = new HashMap<>();
  private final Map<JvmProfile, Integer> startingByProfile = new HashMap<>();

  /**
   * IDLE spares given to an instance whose assignment the agent has not answered yet: left out of
   * the IDLE index, so that placement does not step over them for every decision on this node.
   */
  private final Set<String> reserved = new HashSet<>();

  static ContainerTable of(Collection<ContainerView> containers) {
    ContainerTable table = new ContainerTable();
    containers.forEach(table::put);
    return table;
  }

  /**
   * Keeps {@code container} as the node's latest report of it. Parts equal to those of the report
   * it replaces are taken from that one (its id above all, which is also this table's key), so that
   * a container's id, names, profile, ports and start time are held once however often it is
   * reported, not once per report that came in since it started.
   *
   * @return the view held: equal to {@code container}, with the parts it shares
   */
  ContainerView put(ContainerView container) {
    ContainerView previous = all.get(container.id());
    if (previous != null) {
      container = sharing(previous, container);
    }
    unindex(all.put(container.id(), container));
    if (isSpare(container)) {
      spares.put(container.id(), container);
      index(container);
    } else {
      spares.remove(container.id());
    }
    return container;
  }

  void remove(String containerId) {
    all.remove(containerId);
    unindex(spares.remove(containerId));
    reserved.remove(containerId);
  }

  /** The spare is given to an instance: it is not offered again until {@link #unreserve}. */
  void reserve(String containerId) {
    ContainerView spare = spares.get(containerId);
    unindex(spare);
    reserved.add(containerId);
    if (spare != null) {
      index(spare);
    }
  }

  /** The assignment was answered: the container is offered again if it is still an IDLE spare. */
  void unreserve(String containerId) {
    if (reserved.remove(containerId)) {
      ContainerView spare = spares.get(containerId);
      if (spare != null) {
        unindex(spare);
        index(spare);
      }
    }
  }

  /** Every container, by id, in the order first seen. */
  Map<String, ContainerView> all() {
    return Collections.unmodifiableMap(all);
  }

  /**
   * The containers that could take an instance or are starting to: IDLE or STARTING, unassigned.
   */
  Collection<ContainerView> spares() {
    return Collections.unmodifiableCollection(spares.values());
  }

  /** The first IDLE spare of {@code profile}, in the order seen, that is not reserved. */
  Optional<String> firstIdle(JvmProfile profile) {
    Map<String, ContainerView> idle = idleByProfile.get(profile);
    return idle == null ? Optional.empty() : Optional.of(idle.keySet().iterator().next());
  }

  /** How many spares of {@code profile} are STARTING. */
  int starting(JvmProfile profile) {
    return startingByProfile.getOrDefault(profile, 0);
  }

  private void index(ContainerView spare) {
    if (spare.status() == ContainerStatus.IDLE) {
      if (reserved.contains(spare.id())) {
        return;
      }
      idleByProfile
          .computeIfAbsent(spare.profile(), p -> new LinkedHashMap<>())
          .put(spare.id(), spare);
    } else {
      startingByProfile.merge(spare.profile(), 1, Integer::sum);
    }
  }

  /** Takes back what {@link #index} counted for a container as it was last put. */
  private void unindex(ContainerView previous) {
    if (previous == null || !isSpare(previous)) {
      return;
    }
    if (previous.status() == ContainerStatus.IDLE) {
      Map<String, ContainerView> idle = idleByProfile.get(previous.profile());
      if (idle != null) {
        idle.remove(previous.id());
        if (idle.isEmpty()) {
          idleByProfile.remove(previous.profile());
        }
      }
    } else {
      startingByProfile.computeIfPresent(previous.profile(), (p, n) -> n > 1 ? n - 1 : null);
    }
  }

  private static ContainerView sharing(ContainerView previous, ContainerView c) {
    return new ContainerView(
        previous.id(),
        same(previous.nodeId(), c.nodeId()),
        c.status(),
        same(previous.profile(), c.profile()),
        c.pid(),
        same(previous.startedAt(), c.startedAt()),
        same(previous.service(), c.service()),
        same(previous.instanceId(), c.instanceId()),
        same(previous.ports(), c.ports()),
        same(previous.reason(), c.reason()),
        c.exitCode(),
        same(previous.restarts(), c.restarts()));
  }

  /** {@code before} if it equals {@code now}: the object already held. */
  private static <T> T same(T before, T now) {
    return before.equals(now) ? before : now;
  }

  private static boolean isSpare(ContainerView c) {
    return c.instanceId().isEmpty()
        && (c.status() == ContainerStatus.IDLE || c.status() == ContainerStatus.STARTING);
  }
}
