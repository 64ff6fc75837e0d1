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

  private final Map<Key, Set<Instance>> byNode = new HashMap<>();
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
    byNode.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(instance);
    byInstance.put(instance.id(), key);
    usage.earmark(instance.service(), nodeId);
    instance.waitingForSpare(true);
  }

  /** How many instances wait for a spare of the profile on the node. */
  int count(String nodeId, JvmProfile profile) {
    Set<Instance> here = byNode.get(new Key(nodeId, profile));
    return here == null ? 0 : here.size();
  }

  /** The instance that waited longest for a spare of the profile on the node; it waits no more. */
  Instance next(String nodeId, JvmProfile profile) {
    Set<Instance> here = byNode.get(new Key(nodeId, profile));
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
      Set<Instance> here = byNode.get(key);
      here.remove(instance);
      if (here.isEmpty()) {
        byNode.remove(key);
      }
      usage.unearmark(instance.service(), key.nodeId());
      instance.waitingForSpare(false);
    }
  }

  /** Ends up to {@code count} waits for the profile on the node (spares that will not come). */
  List<Instance> release(String nodeId, JvmProfile profile, int count) {
    List<Instance> released = new ArrayList<>();
    Set<Instance> here = byNode.get(new Key(nodeId, profile));
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
    for (Key key : List.copyOf(byNode.keySet())) {
      if (key.nodeId().equals(nodeId)) {
        for (Instance i : List.copyOf(byNode.get(key))) {
          forget(i);
          released.add(i);
        }
      }
    }
    return released;
  }

  /** The nodes some instance waits on. */
  Set<String> nodes() {
    Set<String> nodes = new LinkedHashSet<>();
    byNode.keySet().forEach(k -> nodes.add(k.nodeId()));
    return nodes;
  }
}
