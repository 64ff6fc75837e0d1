package io.drover.controller.scheduling;

import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The containers one node reports, in the order they were first seen, with its spares (IDLE or
 * STARTING, no instance) kept apart: placement looks at the spares of every node for every
 * instance, and a node may run thousands of containers that are not spares.
 */
final class ContainerTable {
  private final Map<String, ContainerView> all = new LinkedHashMap<>();
  private final Map<String, ContainerView> spares = new LinkedHashMap<>();

  static ContainerTable of(Collection<ContainerView> containers) {
    ContainerTable table = new ContainerTable();
    containers.forEach(table::put);
    return table;
  }

  void put(ContainerView container) {
    all.put(container.id(), container);
    if (isSpare(container)) {
      spares.put(container.id(), container);
    } else {
      spares.remove(container.id());
    }
  }

  void remove(String containerId) {
    all.remove(containerId);
    spares.remove(containerId);
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

  private static boolean isSpare(ContainerView c) {
    return c.instanceId().isEmpty()
        && (c.status() == ContainerStatus.IDLE || c.status() == ContainerStatus.STARTING);
  }
}
