package io.drover.controller.scheduling;

import io.drover.controller.instances.Instance;
import io.drover.controller.instances.InstanceState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every instance the scheduler knows, by id in the order created, and indexed the ways a reconcile
 * pass and the node events look them up: by service, by node, the placeable (pending, not waiting
 * for a spare), the leaving, and the replacements; and what they use of each node ({@link
 * NodeUsage}). Each instance tells the table before and after it changes ({@link
 * Instance.Indexer}), so the indexes never go stale.
 *
 * <p>Why: a pass that scanned every instance to count, to find the pending and to fingerprint the
 * endpoints, and a node event that scanned every instance for that node's, cost time in proportion
 * to all instances for every pass and every event. At 100,000 instances that was most of the
 * scheduler's thread; at 1,000,000 it never caught up.
 */
final class InstanceTable implements Instance.Indexer {
  private final NodeUsage usage;
  private final Map<String, Instance> byId = new LinkedHashMap<>();
  private final Map<String, ServiceIndex> byService = new HashMap<>();

  /**
   * Per node, its instances in any state; lists, not sets: a node holds few, and sets cost more.
   */
  private final Map<String, List<Instance>> byNode = new HashMap<>();

  private final Set<Instance> leaving = new LinkedHashSet<>();
  private final Map<String, List<Instance>> byReplaced = new HashMap<>();

  // What the instance being changed was indexed by, between before() and after(): all on one
  // thread, and no change nests in another.
  private InstanceState stateBefore;
  private String nodeBefore;
  private boolean leavingBefore;
  private boolean waitingBefore;
  private String replacingBefore;

  /** One service's instances, and what a pass asks of them without looking at each. */
  private static final class ServiceIndex {
    final Map<String, Instance> all = new LinkedHashMap<>();

    /** PENDING and not waiting for a spare: what a pass places, in the order they became so. */
    final Set<Instance> placeable = new LinkedHashSet<>();

    /** Live and not leaving: what counts toward the desired replicas. */
    int counted;

    /** Changes whenever an instance enters or leaves READY, or changes while READY. */
    long readyVersion;
  }

  /** A table whose instances also count in {@code usage}, kept up to date with them. */
  InstanceTable(NodeUsage usage) {
    this.usage = usage;
  }

  InstanceTable() {
    this(new NodeUsage(Map.of()));
  }

  Instance get(String id) {
    return byId.get(id);
  }

  boolean containsKey(String id) {
    return byId.containsKey(id);
  }

  void put(Instance instance) {
    Instance previous = byId.put(instance.id(), instance);
    if (previous != null) {
      unindex(previous);
      previous.indexedBy(null);
    }
    index(instance);
    instance.indexedBy(this);
  }

  void remove(String id) {
    Instance removed = byId.remove(id);
    if (removed != null) {
      unindex(removed);
      removed.indexedBy(null);
    }
  }

  /** Every instance, in the order created; a view, not a copy. */
  Collection<Instance> values() {
    return Collections.unmodifiableCollection(byId.values());
  }

  /** The instances of one service, in the order created; a view, not a copy. */
  Collection<Instance> ofService(String service) {
    ServiceIndex mine = byService.get(service);
    return mine == null ? List.of() : Collections.unmodifiableCollection(mine.all.values());
  }

  /** The services that have instances; a view, not a copy. */
  Set<String> services() {
    return Collections.unmodifiableSet(byService.keySet());
  }

  /** The instances on a node, in any state; a copy, safe to change them while going through. */
  List<Instance> onNode(String nodeId) {
    List<Instance> mine = byNode.get(nodeId);
    return mine == null ? List.of() : List.copyOf(mine);
  }

  /** The pending instances of the service that no spare is starting for; a copy. */
  List<Instance> placeable(String service) {
    ServiceIndex mine = byService.get(service);
    return mine == null ? List.of() : new ArrayList<>(mine.placeable);
  }

  /** How many of the service's instances are live and not leaving. */
  int counted(String service) {
    ServiceIndex mine = byService.get(service);
    return mine == null ? 0 : mine.counted;
  }

  /** A number that changes whenever the service's READY instances may have changed. */
  long readyVersion(String service) {
    ServiceIndex mine = byService.get(service);
    return mine == null ? 0 : mine.readyVersion;
  }

  /** The instances marked leaving (their replacement is on its way); a copy. */
  List<Instance> leaving() {
    return new ArrayList<>(leaving);
  }

  /** The instances that replace {@code instanceId}, in the order they were marked; a view. */
  List<Instance> replacementsOf(String instanceId) {
    return byReplaced.getOrDefault(instanceId, List.of());
  }

  @Override
  public void before(Instance instance) {
    usage.remove(instance);
    stateBefore = instance.state();
    nodeBefore = instance.nodeId();
    leavingBefore = instance.leaving();
    waitingBefore = instance.waitingForSpare();
    replacingBefore = instance.replacing();
  }

  @Override
  public void after(Instance instance) {
    usage.add(instance);
    ServiceIndex mine = byService.get(instance.service());
    boolean placeableBefore = stateBefore == InstanceState.PENDING && !waitingBefore;
    if (placeableBefore != placeable(instance)) {
      if (placeableBefore) {
        mine.placeable.remove(instance);
      } else {
        mine.placeable.add(instance);
      }
    }
    mine.counted += (counts(instance) ? 1 : 0) - (counts(stateBefore, leavingBefore) ? 1 : 0);
    if (stateBefore == InstanceState.READY || instance.state() == InstanceState.READY) {
      mine.readyVersion++;
    }
    if (!nodeBefore.equals(instance.nodeId())) {
      removeFrom(byNode, nodeBefore, instance);
      addTo(byNode, instance.nodeId(), instance);
    }
    if (leavingBefore != instance.leaving()) {
      if (leavingBefore) {
        leaving.remove(instance);
      } else {
        leaving.add(instance);
      }
    }
    if (!replacingBefore.equals(instance.replacing())) {
      removeFrom(byReplaced, replacingBefore, instance);
      addTo(byReplaced, instance.replacing(), instance);
    }
  }

  private void index(Instance instance) {
    usage.add(instance);
    ServiceIndex mine = byService.computeIfAbsent(instance.service(), s -> new ServiceIndex());
    mine.all.put(instance.id(), instance);
    if (placeable(instance)) {
      mine.placeable.add(instance);
    }
    if (counts(instance)) {
      mine.counted++;
    }
    if (instance.state() == InstanceState.READY) {
      mine.readyVersion++;
    }
    addTo(byNode, instance.nodeId(), instance);
    if (instance.leaving()) {
      leaving.add(instance);
    }
    addTo(byReplaced, instance.replacing(), instance);
  }

  private void unindex(Instance instance) {
    usage.remove(instance);
    ServiceIndex mine = byService.get(instance.service());
    if (mine != null && mine.all.remove(instance.id()) != null) {
      mine.placeable.remove(instance);
      if (counts(instance)) {
        mine.counted--;
      }
      if (instance.state() == InstanceState.READY) {
        mine.readyVersion++;
      }
      if (mine.all.isEmpty()) {
        byService.remove(instance.service());
      }
    }
    removeFrom(byNode, instance.nodeId(), instance);
    leaving.remove(instance);
    removeFrom(byReplaced, instance.replacing(), instance);
  }

  private static boolean placeable(Instance instance) {
    return instance.state() == InstanceState.PENDING && !instance.waitingForSpare();
  }

  private static boolean counts(Instance instance) {
    return counts(instance.state(), instance.leaving());
  }

  private static boolean counts(InstanceState state, boolean leaving) {
    return state.isLive() && !leaving;
  }

  private static void addTo(Map<String, List<Instance>> index, String key, Instance instance) {
    if (!key.isEmpty()) {
      index.computeIfAbsent(key, k -> new ArrayList<>(4)).add(instance);
    }
  }

  private static void removeFrom(Map<String, List<Instance>> index, String key, Instance instance) {
    List<Instance> here = key.isEmpty() ? null : index.get(key);
    if (here != null) {
      // By identity: two instances are never equal, and equals is identity for them anyway.
      for (int i = here.size() - 1; i >= 0; i--) {
        if (here.get(i) == instance) {
          here.remove(i);
          break;
        }
      }
      if (here.isEmpty()) {
        index.remove(key);
      }
    }
  }
}
