package io.drover.controller.scheduling;

import io.drover.controller.instances.Instance;
import java.util.HashMap;
import java.util.Map;

/**
 * What the instances on each node ask for, per the catalog: memory, CPU, and how many belong to
 * each service. Summed once per reconcile pass, for every service at once (summing per node and
 * instance placed made placing I instances on N nodes cost N × I² steps, and summing per service
 * cost services × instances per pass), then kept up to date as the pass places and stops instances.
 *
 * <p>An instance waiting for a container that is starting for it on a node is earmarked there for
 * the rest of the pass: it will run there, so the next decisions of the pass must see the node as
 * that much fuller, or a burst of instances would all start their containers on the one node that
 * looked best.
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

  private NodeUsage(Map<String, ServicePlan> plans) {
    this.plans = plans;
  }

  /** Sums the live, placed instances. */
  static NodeUsage of(Iterable<Instance> instances, Map<String, ServicePlan> plans) {
    NodeUsage usage = new NodeUsage(plans);
    for (Instance i : instances) {
      usage.add(i);
    }
    return usage;
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

  private void count(String service, String nodeId, int sign) {
    ServicePlan p = plans.get(service);
    Sum sum = byNode.getOrDefault(nodeId, NONE);
    byNode.put(
        nodeId,
        sum.plus(sign * (p == null ? 0 : p.memoryMb()), sign * (p == null ? 0 : p.cpuMillis())));
    byServiceAndNode
        .computeIfAbsent(service, s -> new HashMap<>())
        .merge(nodeId, sign, (a, b) -> a + b == 0 ? null : a + b);
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
