package io.drover.controller.scheduling;

import io.drover.controller.containers.JvmProfile;
import io.drover.controller.instances.Instance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pending instances promised a spare container that is starting on a node. Each takes the next
 * container of its profile that turns IDLE there, when it turns IDLE, without a reconcile pass; and
 * no pass decides for it again while it waits. Before, every pass decided again for every instance
 * that waited, so a burst of I instances cost I decisions per pass until the last container was up.
 *
 * <p>A wait ends when its container comes (the instance is placed), when the instance stops, or
 * when the promise breaks: the start failed, the spare ended before it was IDLE, the node left. A
 * broken wait puts the instance back among those a pass places.
 */
final class SpareWaits {
  private record Key(String nodeId, JvmProfile profile) {}

  /**
   * By node, then profile: most nodes have no wait, and a pass asks for every node, so the common
   * answer is one lookup of the node's id.
   */
  private final Map<String, Map<JvmProfile, Set<Instance>>> byNode = new HashMap<>();

  private final Map<String, Key> byInstance = new HashMap<>();
  private final NodeUsage usage;

  /** Waits whose instances are earmarked in {@code usage} on the node they wait on. */
  SpareWaits(NodeUsage usage) {
    this.usage = usage;
  }

  SpareWaits() {
    this(new NodeUsage(Map.of()));
  }

  /** The instance waits for the next spare of {@code profile} to turn IDLE on the node. */
  void await(Instance instance, String nodeId, JvmProfile profile) {
    forget(instance);
    Key key = new Key(nodeId, profile);
    byNode
        .computeIfAbsent(nodeId, n -> new HashMap<>(4))
        .computeIfAbsent(profile, p -> new LinkedHashSet<>())
        .add(instance);
    byInstance.put(instance.id(), key);
    usage.earmark(instance.service(), nodeId);
    instance.waitingForSpare(true);
  }

  /** How many instances wait for a spare of the profile on the node. */
  int count(String nodeId, JvmProfile profile) {
    Set<Instance> here = waiting(nodeId, profile);
    return here == null ? 0 : here.size();
  }

  private Set<Instance> waiting(String nodeId, JvmProfile profile) {
    Map<JvmProfile, Set<Instance>> onNode = byNode.get(nodeId);
    return onNode == null ? null : onNode.get(profile);
  }

  /** The instance that waited longest for a spare of the profile on the node; it waits no more. */
  Instance next(String nodeId, JvmProfile profile) {
    Set<Instance> here = waiting(nodeId, profile);
    if (here == null) {
      return null;
    }
    Instance first = here.iterator().next();
    forget(first);
    return first;
  }

  /** Ends the instance's wait, if it had one. */
  void forget(Instance instance) {
    Key key = byInstance.remove(instance.id());
    if (key != null) {
      Map<JvmProfile, Set<Instance>> onNode = byNode.get(key.nodeId());
      Set<Instance> here = onNode.get(key.profile());
      here.remove(instance);
      if (here.isEmpty()) {
        onNode.remove(key.profile());
        if (onNode.isEmpty()) {
          byNode.remove(key.nodeId());
        }
      }
      usage.unearmark(instance.service(), key.nodeId());
      instance.waitingForSpare(false);
    }
  }

  /** Ends up to {@code count} waits for the profile on the node (spares that will not come). */
  List<Instance> release(String nodeId, JvmProfile profile, int count) {
    List<Instance> released = new ArrayList<>();
    Set<Instance> here = waiting(nodeId, profile);
    if (here == null) {
      return released;
    }
    List<Instance> oldestFirst = List.copyOf(here);
    for (int i = oldestFirst.size() - 1; i >= 0 && released.size() < count; i--) {
      forget(oldestFirst.get(i));
      released.add(oldestFirst.get(i));
    }
    return released;
  }

  /** Ends every wait on the node (it left, or takes nothing now). */
  List<Instance> releaseNode(String nodeId) {
    List<Instance> released = new ArrayList<>();
    Map<JvmProfile, Set<Instance>> onNode = byNode.get(nodeId);
    if (onNode != null) {
      for (Set<Instance> here : List.copyOf(onNode.values())) {
        for (Instance i : List.copyOf(here)) {
          forget(i);
          released.add(i);
        }
      }
    }
    return released;
  }

  /** The nodes some instance waits on. */
  Set<String> nodes() {
    return new LinkedHashSet<>(byNode.keySet());
  }
}
