package io.drover.container;

import io.drover.discovery.EndpointWatch;
import io.drover.sdk.Endpoint;
import io.drover.sdk.Endpoints;
import io.drover.v1.ServiceEndpoints;
import io.grpc.Channel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The endpoints of other services, for {@link io.drover.sdk.ServiceContext#endpoints}: one watch
 * per service asked for, made on the link to the agent, which passes it on to the controller over
 * its own session (mutual TLS on a secured cluster), so a container needs no credentials of its
 * own. Nothing is watched until a service asks.
 */
final class ControllerDiscovery implements AutoCloseable {
  private final Channel agent;
  private final Map<String, View> views = new ConcurrentHashMap<>();
  private ScheduledExecutorService retries;
  private boolean closed;

  /**
   * @param agent the channel to the agent's container link, which relays the watch; not owned
   */
  ControllerDiscovery(Channel agent) {
    this.agent = agent;
  }

  Endpoints endpoints(String service) {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service: give a service name");
    }
    return views.computeIfAbsent(service, this::watch);
  }

  private synchronized View watch(String service) {
    if (closed) {
      throw new IllegalStateException("the container is stopping");
    }
    if (retries == null) {
      retries =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "drover-discovery");
                t.setDaemon(true);
                return t;
              });
    }
    View view = new View(service);
    view.watch = EndpointWatch.start(agent, service, retries, view::update);
    return view;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    views.values().forEach(View::close);
    synchronized (this) {
      if (retries != null) {
        retries.shutdownNow();
      }
    }
  }

  static List<Endpoint> endpoints(ServiceEndpoints set) {
    return set.getEndpointsList().stream()
        .map(
            e ->
                new Endpoint(
                    e.getInstanceId(),
                    e.getAddress(),
                    e.getPortsMap(),
                    e.getNodeName(),
                    e.getZone(),
                    e.getLabelsMap()))
        .toList();
  }

  private final class View implements Endpoints {
    private final String service;
    private final List<Consumer<List<Endpoint>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Endpoint> current = List.of();
    private volatile boolean known;
    private EndpointWatch watch;

    View(String service) {
      this.service = service;
    }

    void update(ServiceEndpoints set) {
      List<Endpoint> next = endpoints(set);
      synchronized (this) {
        current = next;
        known = true;
        for (Consumer<List<Endpoint>> listener : listeners) {
          try {
            listener.accept(next);
          } catch (RuntimeException e) {
            RuntimeLog.warning("an endpoints listener of " + service + " failed", e);
          }
        }
      }
    }

    @Override
    public String service() {
      return service;
    }

    @Override
    public List<Endpoint> current() {
      return current;
    }

    @Override
    public boolean known() {
      return known;
    }

    @Override
    public synchronized Runnable onChange(Consumer<List<Endpoint>> listener) {
      listeners.add(listener);
      if (known) {
        listener.accept(current);
      }
      return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
      views.remove(service, this);
      listeners.clear();
      if (watch != null) {
        watch.close();
      }
    }
  }
}
