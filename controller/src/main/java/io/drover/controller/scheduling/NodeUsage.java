package io.drover.controller.scheduling;

import io.drover.controller.instances.Instance;
import java.util.HashMap;
import java.util.Map;

/**
 * What the instances on each node ask for, per the catalog: memory, CPU, and how many belong to
 * each service. Kept up to date as instances change (the instance table tells it before and after
 * each change) and as instances start and stop waiting for spares, rather than summed in each pass:
 * summing every instance in every pass that placed something cost a look at every instance, which
 * at a million instances was most of a pass.
 *
 * <p>An instance waiting for a container that is starting for it on a node is earmarked there: it
 * will run there, so decisions must see the node as that much fuller, or a burst of instances would
 * all start their containers on the one node that looked best.
 *
 * <p>The sums use the catalog's figures when an instance was counted; {@link #replan()} sums again
 * after the catalog changes.
 */
final class NodeUsage {
  private record Sum(long memoryMb, long cpuMillis) {
    Sum plus(long memory, long cpu) {
      return new Sum(memoryMb + memory, cpuMillis + cpu);
    }
  }

  private static final Sum NONE = new Sum(0, 0);

  private final Map<String, ServicePlan> plans;
  private final Map<String, Sum> byNode = new HashMap<>();
  private final Map<String, Map<String, Integer>> byServiceAndNode = new HashMap<>();

  /** Usage by the catalog in {@code plans}, a map the caller keeps current. */
  NodeUsage(Map<String, ServicePlan> plans) {
    this.plans = plans;
  }

  /** Counts an instance as it is now; one not live or not on a node changes nothing. */
  void add(Instance i) {
    if (i.state().isLive() && !i.nodeId().isEmpty()) {
      count(i.service(), i.nodeId(), 1);
    }
  }

  /** Takes back what {@link #add} counted for the instance as it is now. */
  void remove(Instance i) {
    if (i.state().isLive() && !i.nodeId().isEmpty()) {
      count(i.service(), i.nodeId(), -1);
    }
  }

  /** Counts a pending instance of {@code service} on the node its container is starting on. */
  void earmark(String service, String nodeId) {
    count(service, nodeId, 1);
  }

  /** Takes back an {@link #earmark}: the instance waits there no more. */
  void unearmark(String service, String nodeId) {
    count(service, nodeId, -1);
  }

  /** Sums every node again by the catalog as it is now (it changed). */
  void replan() {
    byNode.clear();
    byServiceAndNode.forEach(
        (service, perNode) -> {
          ServicePlan p = plans.get(service);
          perNode.forEach(
              (nodeId, count) ->
                  byNode.merge(
                      nodeId,
                      new Sum(
                          (long) count * (p == null ? 0 : p.memoryMb()),
                          (long) count * (p == null ? 0 : p.cpuMillis())),
                      (a, b) -> a.plus(b.memoryMb(), b.cpuMillis())));
        });
  }

  private void count(String service, String nodeId, int sign) {
    ServicePlan p = plans.get(service);
    Sum sum = byNode.getOrDefault(nodeId, NONE);
    byNode.put(
        nodeId,
        sum.plus(sign * (p == null ? 0 : p.memoryMb()), sign * (p == null ? 0 : p.cpuMillis())));
    byServiceAndNode
        .computeIfAbsent(service, s -> new HashMap<>())
        .merge(nodeId, sign, (a, b) -> a + b == 0 ? null : a + b);
    if (byNode.get(nodeId).equals(NONE)) {
      byNode.remove(nodeId);
    }
  }

  long memoryMb(String nodeId) {
    return byNode.getOrDefault(nodeId, NONE).memoryMb;
  }

  long cpuMillis(String nodeId) {
    return byNode.getOrDefault(nodeId, NONE).cpuMillis;
  }

  int serviceInstances(String service, String nodeId) {
    Map<String, Integer> mine = byServiceAndNode.get(service);
    return mine == null ? 0 : mine.getOrDefault(nodeId, 0);
  }
}
