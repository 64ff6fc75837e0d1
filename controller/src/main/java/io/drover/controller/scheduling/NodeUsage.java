package io.drover.controller.scheduling;

import io.drover.controller.instances.Instance;
import java.util.HashMap;
import java.util.Map;

/**
 * What the live instances on each node ask for, per the catalog: memory, CPU, and how many belong
 * to one service. Summed once per placement round instead of once per node and instance placed
 * (which made placing I instances on N nodes cost N × I² steps), and kept up to date as that round
 * places instances.
 */
final class NodeUsage {
  private record Sum(long memoryMb, long cpuMillis, int serviceInstances) {
    Sum plus(long memory, long cpu, int mine) {
      return new Sum(memoryMb + memory, cpuMillis + cpu, serviceInstances + mine);
    }
  }

  private static final Sum NONE = new Sum(0, 0, 0);

  private final String service;
  private final Map<String, ServicePlan> plans;
  private final Map<String, Sum> byNode = new HashMap<>();

  private NodeUsage(String service, Map<String, ServicePlan> plans) {
    this.service = service;
    this.plans = plans;
  }

  /** Sums the live, placed instances; {@code service}'s own are also counted apart. */
  static NodeUsage of(
      Iterable<Instance> instances, Map<String, ServicePlan> plans, String service) {
    NodeUsage usage = new NodeUsage(service, plans);
    for (Instance i : instances) {
      usage.add(i);
    }
    return usage;
  }

  /** Counts an instance as it is now; one not live or not on a node changes nothing. */
  void add(Instance i) {
    count(i, 1);
  }

  /** Takes back what {@link #add} counted for the instance as it is now. */
  void remove(Instance i) {
    count(i, -1);
  }

  private void count(Instance i, int sign) {
    if (!i.state().isLive() || i.nodeId().isEmpty()) {
      return;
    }
    ServicePlan p = plans.get(i.service());
    Sum sum = byNode.getOrDefault(i.nodeId(), NONE);
    byNode.put(
        i.nodeId(),
        sum.plus(
            sign * (p == null ? 0 : p.memoryMb()),
            sign * (p == null ? 0 : p.cpuMillis()),
            sign * (i.service().equals(service) ? 1 : 0)));
  }

  long memoryMb(String nodeId) {
    return byNode.getOrDefault(nodeId, NONE).memoryMb;
  }

  long cpuMillis(String nodeId) {
    return byNode.getOrDefault(nodeId, NONE).cpuMillis;
  }

  int serviceInstances(String nodeId) {
    return byNode.getOrDefault(nodeId, NONE).serviceInstances;
  }
}
