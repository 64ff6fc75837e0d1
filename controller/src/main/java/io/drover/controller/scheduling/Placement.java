package io.drover.controller.scheduling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Chooses where a new instance goes, in the seed's order: an IDLE container of the service's
 * profile first; then a node with room, where a container is started; otherwise it waits, with the
 * reason. Among equals, instances of one service spread across nodes. A pure function of its
 * inputs, so that it can be tested and benchmarked alone.
 */
public final class Placement {
  /** Fraction of a node's memory that instances may reserve; the rest is for the OS and JVMs. */
  static final double MEMORY_SHARE = 0.9;

  private Placement() {}

  /**
   * A READY node as placement sees it.
   *
   * @param idleContainers unreserved IDLE containers of the service's profile; placement takes the
   *     first, so the scheduler lists at most one
   * @param startingSpares spare containers of the profile that are starting and unreserved
   * @param serviceInstances live instances of this service on the node
   * @param requestedMemoryMb memory of every live instance on the node, per the catalog
   * @param requestedCpuMillis CPU of every live instance on the node, per the catalog
   */
  public record Candidate(
      String nodeId,
      String name,
      List<String> idleContainers,
      int startingSpares,
      int serviceInstances,
      long memoryTotalBytes,
      long memoryAvailableBytes,
      int cores,
      long requestedMemoryMb,
      long requestedCpuMillis,
      double cpuLoad) {}

  /** The outcome for one instance. */
  public sealed interface Decision {
    /** Assign to this IDLE container. */
    record Warm(String nodeId, String containerId) implements Decision {}

    /** Start a container with the service in it (cold mode). */
    record Cold(String nodeId) implements Decision {}

    /** Start a spare container on the node, then assign. */
    record StartContainer(String nodeId) implements Decision {}

    /** A spare container is already starting on the node: wait for it. */
    record AwaitContainer(String nodeId) implements Decision {}

    /** Nowhere to go now. */
    record NoRoom(String reason) implements Decision {}
  }

  public static Decision place(ServicePlan plan, List<Candidate> nodes) {
    if (nodes.isEmpty()) {
      return new Decision.NoRoom("no node is READY");
    }
    // One pass instead of a sort: the best fitting node overall, with an IDLE container, and with
    // a spare starting. Ties go to the earlier node, as a stable sort would have it.
    Comparator<Candidate> spread = spread();
    Candidate best = null;
    Candidate bestIdle = null;
    Candidate bestStarting = null;
    for (Candidate node : nodes) {
      if (!fits(plan, node)) {
        continue;
      }
      if (best == null || spread.compare(node, best) < 0) {
        best = node;
      }
      if (!node.idleContainers().isEmpty()
          && (bestIdle == null || spread.compare(node, bestIdle) < 0)) {
        bestIdle = node;
      }
      if (node.startingSpares() > 0
          && (bestStarting == null || spread.compare(node, bestStarting) < 0)) {
        bestStarting = node;
      }
    }
    if (best == null) {
      return new Decision.NoRoom(noRoom(plan, nodes));
    }
    if (plan.cold()) {
      return new Decision.Cold(best.nodeId());
    }
    if (bestIdle != null) {
      return new Decision.Warm(bestIdle.nodeId(), bestIdle.idleContainers().get(0));
    }
    if (bestStarting != null) {
      return new Decision.AwaitContainer(bestStarting.nodeId());
    }
    return new Decision.StartContainer(best.nodeId());
  }

  static boolean fits(ServicePlan plan, Candidate node) {
    long memoryMb = node.memoryTotalBytes() >> 20;
    return node.requestedMemoryMb() + plan.memoryMb() <= memoryMb * MEMORY_SHARE
        && node.requestedCpuMillis() + plan.cpuMillis() <= node.cores() * 1000L
        && node.memoryAvailableBytes() >= ((long) plan.memoryMb() << 20);
  }

  /**
   * Spread order: fewer instances of the service, then the smaller share of memory requested, then
   * the lower CPU load, then the name. Written out rather than chained from {@code Comparator}s:
   * placement compares every node for every instance, and the chain cost most of its time.
   */
  private static final Comparator<Candidate> SPREAD = Placement::compareSpread;

  static int compareSpread(Candidate a, Candidate b) {
    int byInstances = Integer.compare(a.serviceInstances(), b.serviceInstances());
    if (byInstances != 0) {
      return byInstances;
    }
    int byMemory = Double.compare(memoryShare(a), memoryShare(b));
    if (byMemory != 0) {
      return byMemory;
    }
    int byLoad = Double.compare(a.cpuLoad(), b.cpuLoad());
    return byLoad != 0 ? byLoad : a.name().compareTo(b.name());
  }

  private static double memoryShare(Candidate n) {
    return n.requestedMemoryMb() / (double) Math.max(1, n.memoryTotalBytes() >> 20);
  }

  private static Comparator<Candidate> spread() {
    return SPREAD;
  }

  private static String noRoom(ServicePlan plan, List<Candidate> nodes) {
    List<String> parts = new ArrayList<>();
    for (Candidate n : nodes.subList(0, Math.min(3, nodes.size()))) {
      parts.add(
          String.format(
              Locale.ROOT,
              "%s has %d of %d MiB and %d of %d millicores unreserved, %d MiB available",
              n.name(),
              Math.max(
                  0, (long) ((n.memoryTotalBytes() >> 20) * MEMORY_SHARE) - n.requestedMemoryMb()),
              (long) ((n.memoryTotalBytes() >> 20) * MEMORY_SHARE),
              Math.max(0, n.cores() * 1000L - n.requestedCpuMillis()),
              n.cores() * 1000L,
              n.memoryAvailableBytes() >> 20));
    }
    return "no node has room for "
        + plan.memoryMb()
        + " MiB and "
        + plan.cpuMillis()
        + " millicores: "
        + String.join("; ", parts)
        + (nodes.size() > 3 ? "; and " + (nodes.size() - 3) + " more" : "");
  }
}
