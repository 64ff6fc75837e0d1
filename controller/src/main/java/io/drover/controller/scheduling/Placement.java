package io.drover.controller.scheduling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.function.Predicate;

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

  /** One decision over {@code nodes}; a round of many decisions uses {@link Round}. */
  public static Decision place(ServicePlan plan, List<Candidate> nodes) {
    return new Round(plan, nodes).place("");
  }

  /**
   * The nodes in spread order for one service during one reconcile pass, kept three times: all of
   * them, those with an IDLE container and those with a spare starting. A decision takes the first
   * node of a set that fits, and the scheduler puts back the one node that the decision changed, so
   * a decision costs O(log N) instead of a look at every node. A node that does not fit leaves the
   * round: within a pass nodes only fill up, so it would not fit the next instance either; the
   * scheduler puts it back if it frees room.
   *
   * <p>Each set is sorted once, as an array, and the candidates put back later are kept apart in a
   * small tree; a candidate replaced or removed is skipped where it stood. Building a tree of every
   * node for every service with something to place was half of a pass at 10,000 nodes.
   */
  public static final class Round {
    private final ServicePlan plan;
    private final List<Candidate> atStart;
    private final Map<String, Candidate> byNode = new HashMap<>();
    private final Ordered all;
    private final Ordered withIdle;
    private final Ordered withStarting;

    public Round(ServicePlan plan, Collection<Candidate> nodes) {
      this.plan = plan;
      this.atStart = List.copyOf(nodes);
      Candidate[] sorted = atStart.toArray(new Candidate[0]);
      Arrays.sort(sorted, ORDER);
      for (Candidate c : sorted) {
        byNode.put(c.nodeId(), c);
      }
      all = new Ordered(sorted);
      withIdle = new Ordered(filter(sorted, Round::hasIdle));
      withStarting = new Ordered(filter(sorted, Round::hasStarting));
    }

    private static boolean hasIdle(Candidate c) {
      return !c.idleContainers().isEmpty();
    }

    private static boolean hasStarting(Candidate c) {
      return c.startingSpares() > 0;
    }

    private static Candidate[] filter(Candidate[] sorted, Predicate<Candidate> p) {
      return Arrays.stream(sorted).filter(p).toArray(Candidate[]::new);
    }

    /** Puts the node's candidate in, in place of the one it had. */
    public void put(Candidate node) {
      remove(node.nodeId());
      byNode.put(node.nodeId(), node);
      all.added(node);
      if (hasIdle(node)) {
        withIdle.added(node);
      }
      if (hasStarting(node)) {
        withStarting.added(node);
      }
    }

    /** Takes the node out of the round: it takes nothing now. */
    public void remove(String nodeId) {
      Candidate old = byNode.remove(nodeId);
      if (old != null) {
        all.removed(old);
        withIdle.removed(old);
        withStarting.removed(old);
      }
    }

    /** Where the next instance goes; never to {@code avoidNode} (empty for anywhere). */
    public Decision place(String avoidNode) {
      if (atStart.isEmpty()) {
        return new Decision.NoRoom("no node is READY");
      }
      Candidate best = firstFitting(all, avoidNode);
      if (best == null) {
        Candidate avoided = byNode.get(avoidNode);
        if (avoided != null && fits(plan, avoided)) {
          return new Decision.NoRoom(
              "no node but " + avoided.name() + ", which this instance must leave, has room");
        }
        return new Decision.NoRoom(noRoom(plan, atStart));
      }
      if (plan.cold()) {
        return new Decision.Cold(best.nodeId());
      }
      Candidate idle = firstFitting(withIdle, avoidNode);
      if (idle != null) {
        return new Decision.Warm(idle.nodeId(), idle.idleContainers().get(0));
      }
      Candidate starting = firstFitting(withStarting, avoidNode);
      if (starting != null) {
        return new Decision.AwaitContainer(starting.nodeId());
      }
      return new Decision.StartContainer(best.nodeId());
    }

    private Candidate firstFitting(Ordered nodes, String avoidNode) {
      List<String> full = new ArrayList<>();
      Candidate found = null;
      for (Iterator<Candidate> it = nodes.iterator(); it.hasNext(); ) {
        Candidate node = it.next();
        if (node.nodeId().equals(avoidNode)) {
          continue;
        }
        if (fits(plan, node)) {
          found = node;
          break;
        }
        full.add(node.nodeId());
      }
      full.forEach(this::remove);
      return found;
    }

    /**
     * One set in spread order: the candidates of the start, sorted, and those put back since, in a
     * tree. A candidate counts while it is still its node's candidate in the round.
     */
    private final class Ordered {
      private final Candidate[] sorted;
      private int head;
      private final NavigableSet<Candidate> since = new TreeSet<>(ORDER);

      Ordered(Candidate[] sorted) {
        this.sorted = sorted;
      }

      void added(Candidate c) {
        since.add(c);
      }

      void removed(Candidate c) {
        since.remove(c);
      }

      private boolean current(Candidate c) {
        return byNode.get(c.nodeId()) == c;
      }

      /** The current candidates in spread order: the sorted ones merged with those put back. */
      Iterator<Candidate> iterator() {
        while (head < sorted.length && !current(sorted[head])) {
          head++; // gone for the rest of the round: skip it once, not on every decision
        }
        Iterator<Candidate> later = since.iterator();
        return new Iterator<>() {
          private int next = head;
          private Candidate fromLater = later.hasNext() ? later.next() : null;
          private Candidate fromSorted = advance();

          private Candidate advance() {
            while (next < sorted.length && !current(sorted[next])) {
              next++;
            }
            return next < sorted.length ? sorted[next] : null;
          }

          @Override
          public boolean hasNext() {
            return fromSorted != null || fromLater != null;
          }

          @Override
          public Candidate next() {
            Candidate out;
            if (fromLater == null
                || (fromSorted != null && ORDER.compare(fromSorted, fromLater) < 0)) {
              out = fromSorted;
              next++;
              fromSorted = advance();
            } else {
              out = fromLater;
              fromLater = later.hasNext() ? later.next() : null;
            }
            if (out == null) {
              throw new NoSuchElementException();
            }
            return out;
          }
        };
      }
    }
  }

  static boolean fits(ServicePlan plan, Candidate node) {
    long memoryMb = node.memoryTotalBytes() >> 20;
    return node.requestedMemoryMb() + plan.memoryMb() <= memoryMb * MEMORY_SHARE
        && node.requestedCpuMillis() + plan.cpuMillis() <= node.cores() * 1000L
        && node.memoryAvailableBytes() >= ((long) plan.memoryMb() << 20);
  }

  /**
   * Spread order: fewer instances of the service, then the smaller share of memory requested, then
   * the lower CPU load, then the name (then the id, so that no two nodes are equal). Written out
   * rather than chained from {@code Comparator}s: it runs log N times per placement.
   */
  private static final Comparator<Candidate> ORDER =
      ((Comparator<Candidate>) Placement::compareSpread).thenComparing(Candidate::nodeId);

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
