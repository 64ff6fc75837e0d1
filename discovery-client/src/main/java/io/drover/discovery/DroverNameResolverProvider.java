package io.drover.discovery;

import io.grpc.ManagedChannel;
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
 * system property {@code drover.controller}, else, inside a container, its agent's link ({@code
 * DROVER_AGENT_LINK}, which relays the watch), else {@code DROVER_CONTROLLER}, else {@code
 * 127.0.0.1:7400}. A controller with TLS and access control needs {@code drover.ca} and a token
 * ({@link #controllerChannel(String, java.util.function.UnaryOperator, java.util.Map)}). The port
 * called is {@code ?port=NAME}, else the one named {@code grpc}, else the instance's first.
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
  static ManagedChannel controllerChannel(String controller) {
    return controllerChannel(controller, System::getProperty, System.getenv());
  }

  /**
   * As above, secured as the settings say: with {@code drover.ca} / {@code DROVER_CA} (the
   * cluster's {@code ca.crt}) the channel serves TLS trusting only that CA, and then sends the API
   * token of {@code drover.token} / {@code DROVER_TOKEN} (a viewer's is enough) or of the file
   * {@code drover.tokenFile} / {@code DROVER_TOKEN_FILE}. Without a CA it is plaintext, as for a
   * dev-mode controller or an agent's link, and sends no token.
   */
  static ManagedChannel controllerChannel(
      String controller,
      java.util.function.UnaryOperator<String> properties,
      java.util.Map<String, String> env) {
    io.grpc.ChannelCredentials credentials = io.grpc.InsecureChannelCredentials.create();
    String ca = setting(properties, env, "drover.ca", "DROVER_CA");
    if (ca != null && !controller.startsWith("unix:")) {
      try {
        credentials =
            io.grpc.TlsChannelCredentials.newBuilder().trustManager(new java.io.File(ca)).build();
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("drover.ca: cannot read " + ca + ": " + e.getMessage());
      }
      String token = token(properties, env);
      if (token != null) {
        credentials = io.grpc.CompositeChannelCredentials.create(credentials, bearer(token));
      }
    }
    // The registry picks a transport for the target's address type: a Unix socket (an agent's
    // link) needs Netty's domain-socket channel, a HOST:PORT any transport.
    return io.grpc.Grpc.newChannelBuilder(controller, credentials)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(false)
        .build();
  }

  private static String setting(
      java.util.function.UnaryOperator<String> properties,
      java.util.Map<String, String> env,
      String property,
      String variable) {
    String value = properties.apply(property);
    if (value == null || value.isBlank()) {
      value = env.get(variable);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String token(
      java.util.function.UnaryOperator<String> properties, java.util.Map<String, String> env) {
    String token = setting(properties, env, "drover.token", "DROVER_TOKEN");
    if (token != null) {
      return token;
    }
    String file = setting(properties, env, "drover.tokenFile", "DROVER_TOKEN_FILE");
    if (file == null) {
      return null;
    }
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(file)).trim();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "drover.tokenFile: cannot read " + file + ": " + e.getMessage());
    }
  }

  /** {@code authorization: Bearer TOKEN} on every call of the watch. */
  private static io.grpc.CallCredentials bearer(String token) {
    io.grpc.Metadata.Key<String> authorization =
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    return new io.grpc.CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(authorization, "Bearer " + token);
        applier.apply(headers);
      }
    };
  }
}
