package io.drover.controller.discovery;

import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.UnavailableException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The READY endpoints of every service, as the scheduler last published them, and the watchers of
 * each service. The scheduler publishes after every pass; a watcher hears only of its own service,
 * and only when its set changed.
 *
 * <p>Until the first publication that the scheduler marks as settled (a restarted controller waits
 * for its known nodes to report first), nothing is known: {@link #current} answers UNAVAILABLE and
 * watchers get their first set only once it is settled, so that no client ever sees a set that a
 * controller restart emptied.
 *
 * <p>Watchers are called under this book's lock, so that the first set and the changes join without
 * gap or duplicate; they must only hand the set off (queue it).
 */
public final class EndpointBook {
  private final Clock clock;
  private Map<String, List<Endpoint>> byService = Map.of();
  private Set<String> catalog = Set.of();
  private final Map<String, EndpointSet> sets = new HashMap<>();
  private final Map<String, Set<Consumer<EndpointSet>>> watchers = new HashMap<>();
  private boolean settled;
  private long version;

  public EndpointBook(Clock clock) {
    this.clock = clock;
  }

  /**
   * The scheduler's latest view.
   *
   * @param endpoints the READY endpoints by service (services without any may be absent)
   * @param services every service of the catalog in force
   * @param settled false while a restarted controller still waits for its nodes to report
   */
  public synchronized void publish(
      Map<String, List<Endpoint>> endpoints, Set<String> services, boolean settled) {
    boolean wasSettled = this.settled;
    this.byService = endpoints;
    this.catalog = services;
    this.settled = this.settled || settled;
    if (!this.settled) {
      return;
    }
    Set<String> touched = new LinkedHashSet<>(watchers.keySet());
    touched.addAll(sets.keySet());
    for (String service : touched) {
      EndpointSet before = sets.get(service);
      boolean inCatalog = catalog.contains(service);
      List<Endpoint> now = endpoints.getOrDefault(service, List.of());
      if (before != null
          && wasSettled
          && before.inCatalog() == inCatalog
          && before.endpoints().equals(now)) {
        continue;
      }
      EndpointSet changed = new EndpointSet(service, inCatalog, now, ++version, clock.instant());
      sets.put(service, changed);
      for (Consumer<EndpointSet> watcher : List.copyOf(watchers.getOrDefault(service, Set.of()))) {
        watcher.accept(changed);
      }
    }
    // Sets nobody watches are computed on demand; keep only those of watched services.
    sets.keySet().retainAll(watchers.keySet());
  }

  /**
   * The READY endpoints of a service now.
   *
   * @throws NotFoundException if the catalog has no such service
   * @throws UnavailableException while a restarted controller waits for its nodes
   */
  public synchronized EndpointSet current(String service) {
    if (!settled) {
      throw new UnavailableException(
          "the controller has just started and waits for its nodes to report; try again shortly");
    }
    if (!catalog.contains(service)) {
      throw new NotFoundException("service", service);
    }
    return setOf(service);
  }

  /**
   * Calls {@code watcher} with the set of {@code service} (once the book is settled) and then after
   * each change. A service the catalog lacks starts as an empty set.
   *
   * @return cancels the watch
   */
  public synchronized Runnable watch(String service, Consumer<EndpointSet> watcher) {
    watchers.computeIfAbsent(service, s -> new LinkedHashSet<>()).add(watcher);
    if (settled) {
      EndpointSet first = setOf(service);
      sets.put(service, first);
      watcher.accept(first);
    }
    return () -> {
      synchronized (this) {
        Set<Consumer<EndpointSet>> of = watchers.get(service);
        if (of != null) {
          of.remove(watcher);
          if (of.isEmpty()) {
            watchers.remove(service);
            sets.remove(service);
          }
        }
      }
    };
  }

  /** How many watches are open (metrics, tests). */
  public synchronized int watches() {
    return watchers.values().stream().mapToInt(Set::size).sum();
  }

  private EndpointSet setOf(String service) {
    EndpointSet known = sets.get(service);
    if (known != null) {
      return known;
    }
    return new EndpointSet(
        service,
        catalog.contains(service),
        byService.getOrDefault(service, List.of()),
        version,
        clock.instant());
  }
}
