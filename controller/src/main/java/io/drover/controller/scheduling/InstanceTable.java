package io.drover.controller.scheduling;

import io.drover.controller.instances.Instance;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every instance the scheduler knows, by id in the order created, and by service: a reconcile pass
 * looks at each service's instances, and scanning every instance for every service made a pass cost
 * services × instances steps.
 */
final class InstanceTable {
  private final Map<String, Instance> byId = new LinkedHashMap<>();
  private final Map<String, Map<String, Instance>> byService = new HashMap<>();

  Instance get(String id) {
    return byId.get(id);
  }

  boolean containsKey(String id) {
    return byId.containsKey(id);
  }

  void put(Instance instance) {
    Instance previous = byId.put(instance.id(), instance);
    if (previous != null && !previous.service().equals(instance.service())) {
      forget(previous);
    }
    byService
        .computeIfAbsent(instance.service(), s -> new LinkedHashMap<>())
        .put(instance.id(), instance);
  }

  void remove(String id) {
    Instance removed = byId.remove(id);
    if (removed != null) {
      forget(removed);
    }
  }

  /** Every instance, in the order created; a view, not a copy. */
  Collection<Instance> values() {
    return Collections.unmodifiableCollection(byId.values());
  }

  /** The instances of one service, in the order created; a view, not a copy. */
  Collection<Instance> ofService(String service) {
    Map<String, Instance> mine = byService.get(service);
    return mine == null ? List.of() : Collections.unmodifiableCollection(mine.values());
  }

  /** The services that have instances; a view, not a copy. */
  Set<String> services() {
    return Collections.unmodifiableSet(byService.keySet());
  }

  private void forget(Instance instance) {
    Map<String, Instance> mine = byService.get(instance.service());
    if (mine != null) {
      mine.remove(instance.id());
      if (mine.isEmpty()) {
        byService.remove(instance.service());
      }
    }
  }
}
