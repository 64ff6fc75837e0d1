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
 * each service. The scheduler publishes after every pass; a set gets a new version and time only
 * when it changed, and a watcher hears only of its own service, and only then.
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
  private Set<String> catalog = Set.of();

  /** The last set of every service of the catalog, and of every watched one. */
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
    this.catalog = services;
    this.settled = this.settled || settled;
    if (!this.settled) {
      return;
    }
    Set<String> names = new LinkedHashSet<>(services);
    names.addAll(endpoints.keySet());
    names.addAll(watchers.keySet());
    names.addAll(sets.keySet());
    for (String service : names) {
      EndpointSet before = sets.get(service);
      boolean inCatalog = services.contains(service);
      List<Endpoint> now = endpoints.getOrDefault(service, List.of());
      if (before != null && before.inCatalog() == inCatalog && before.endpoints().equals(now)) {
        continue;
      }
      boolean watched = watchers.containsKey(service);
      if (!inCatalog && now.isEmpty() && !watched) {
        sets.remove(service); // gone from the catalog, and nobody asks for it
        continue;
      }
      EndpointSet changed = new EndpointSet(service, inCatalog, now, ++version, clock.instant());
      sets.put(service, changed);
      if (watched) {
        for (Consumer<EndpointSet> watcher : List.copyOf(watchers.get(service))) {
          watcher.accept(changed);
        }
      }
    }
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
          }
        }
      }
    };
  }

  /** How many watches are open (metrics, tests). */
  public synchronized int watches() {
    return watchers.values().stream().mapToInt(Set::size).sum();
  }

  /** The set of a service; one the catalog lacks and nobody watched yet is empty. */
  private EndpointSet setOf(String service) {
    EndpointSet known = sets.get(service);
    if (known != null) {
      return known;
    }
    return new EndpointSet(service, false, List.of(), version, clock.instant());
  }
}
