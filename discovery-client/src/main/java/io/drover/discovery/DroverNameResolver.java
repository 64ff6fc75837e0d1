package io.drover.discovery;

import io.drover.v1.Endpoint;
import io.drover.v1.ServiceEndpoints;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Resolves {@code drover:///SERVICE} to the service's READY endpoints and follows every change: a
 * new set from the controller's watch becomes the channel's address list at once, so a load
 * balancer such as {@code round_robin} stops picking an instance as soon as it leaves discovery
 * (before it stops) and starts picking one only once its health check passed.
 *
 * <p>While the watch to the controller is broken, the last set stays in force.
 */
final class DroverNameResolver extends NameResolver {
  private final DroverTarget target;
  private final Function<String, ManagedChannel> channels;
  private final SynchronizationContext sync;
  private final ScheduledExecutorService timer;
  private ManagedChannel controller;
  private EndpointWatch watch;
  private Listener2 listener;

  DroverNameResolver(
      DroverTarget target,
      Function<String, ManagedChannel> channels,
      SynchronizationContext sync,
      ScheduledExecutorService timer) {
    this.target = target;
    this.channels = channels;
    this.sync = sync;
    this.timer = timer;
  }

  @Override
  public String getServiceAuthority() {
    return target.service();
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    controller = channels.apply(target.controller());
    watch =
        EndpointWatch.start(
            controller, target.service(), timer, set -> sync.execute(() -> publish(set)));
  }

  private void publish(ServiceEndpoints set) {
    if (listener == null) {
      return;
    }
    List<EquivalentAddressGroup> addresses = new ArrayList<>();
    for (Endpoint endpoint : set.getEndpointsList()) {
      int port = portOf(endpoint);
      if (port > 0) {
        addresses.add(
            new EquivalentAddressGroup(new InetSocketAddress(endpoint.getAddress(), port)));
      }
    }
    if (addresses.isEmpty()) {
      listener.onError(
          Status.UNAVAILABLE.withDescription(
              set.getInCatalog()
                  ? "service " + set.getService() + " has no READY instance"
                  : "service " + set.getService() + " is not in the catalog"));
      return;
    }
    listener.onResult2(ResolutionResult.newBuilder().setAddresses(addresses).build());
  }

  private int portOf(Endpoint endpoint) {
    if (target.portName().isPresent()) {
      return endpoint.getPortsOrDefault(target.portName().get(), 0);
    }
    return endpoint.getPortsOrDefault("grpc", endpoint.getPort());
  }

  @Override
  public void refresh() {
    // The watch pushes every change; there is nothing to poll.
  }

  @Override
  public void shutdown() {
    listener = null;
    if (watch != null) {
      watch.close();
    }
    if (controller != null) {
      controller.shutdownNow();
    }
  }
}
