package io.drover.discovery;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC name resolver for {@code drover:///SERVICE}: {@code
 * ManagedChannelBuilder.forTarget("drover:///orders").defaultLoadBalancingPolicy("round_robin")}
 * calls the READY instances of {@code orders} and follows every scale, drain and recovery. Found by
 * gRPC through {@code ServiceLoader}; nothing to register.
 *
 * <p>The controller is the target's authority ({@code drover://10.0.0.5:7400/orders}), else the
 * system property {@code drover.controller}, else {@code DROVER_CONTROLLER}, else {@code
 * 127.0.0.1:7400}. The port called is {@code ?port=NAME}, else the one named {@code grpc}, else the
 * instance's first.
 */
public final class DroverNameResolverProvider extends NameResolverProvider {

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return DroverTarget.SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!DroverTarget.SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    DroverTarget target = DroverTarget.parse(targetUri, System.getenv());
    return new DroverNameResolver(
        target,
        DroverNameResolverProvider::controllerChannel,
        args.getSynchronizationContext(),
        args.getScheduledExecutorService());
  }

  /** The resolver's own channel to the controller, with keepalive so a dead peer is noticed. */
  private static ManagedChannel controllerChannel(String controller) {
    return ManagedChannelBuilder.forTarget(controller)
        .usePlaintext()
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(false)
        .build();
  }
}
