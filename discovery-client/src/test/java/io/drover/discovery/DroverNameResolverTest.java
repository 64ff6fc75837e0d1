package io.drover.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.FreePorts;
import io.drover.testing.GrpcCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Endpoint;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gRPC client on {@code drover://CONTROLLER/orders} with round_robin, against real gRPC servers
 * and a stand-in controller whose WatchEndpoints the test drives: calls go only to the endpoints of
 * the latest set, follow each change at once, and keep working while the controller is away.
 */
class DroverNameResolverTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @Test
  void callsFollowEverySetAndSurviveTheControllerGoingAway() throws Exception {
    Backend a = backend();
    Backend b = backend();
    Backend c = backend();
    int controllerPort = FreePorts.find();
    StandInController controller = new StandInController();
    Server first = grpc.register(controller.start(controllerPort));
    controller.publish(a, b);

    ManagedChannel channel =
        grpc.register(
            ManagedChannelBuilder.forTarget("drover://127.0.0.1:" + controllerPort + "/orders")
                .defaultLoadBalancingPolicy("round_robin")
                .usePlaintext()
                .build());
    call(channel, 40);
    assertThat(a.calls.get()).isPositive();
    assertThat(b.calls.get()).isPositive();
    assertThat(c.calls.get()).isZero();

    // a leaves the set: within moments no call goes to it, and stopping it costs nothing.
    controller.publish(b, c);
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              int before = a.calls.get();
              call(channel, 6);
              return a.calls.get() == before;
            });
    a.server.shutdownNow();
    int cBefore = c.calls.get();
    call(channel, 40);
    assertThat(c.calls.get()).isGreaterThan(cBefore);

    // The controller goes away: the last set stays in force.
    first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    call(channel, 20);

    // It comes back with a new set: the resolver watches again and follows.
    StandInController again = new StandInController();
    grpc.register(again.start(controllerPort));
    again.publish(c);
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              int before = b.calls.get();
              call(channel, 6);
              return b.calls.get() == before;
            });
    int onlyC = c.calls.get();
    call(channel, 10);
    assertThat(c.calls.get()).isEqualTo(onlyC + 10);
  }

  @Test
  void targetsNameTheControllerTheServiceAndThePort() {
    DroverTarget plain =
        DroverTarget.parse(java.net.URI.create("drover:///orders"), java.util.Map.of());
    assertThat(plain.service()).isEqualTo("orders");
    assertThat(plain.portName()).isEmpty();
    assertThat(plain.controller()).isEqualTo(DroverTarget.DEFAULT_CONTROLLER);

    DroverTarget fromEnv =
        DroverTarget.parse(
            java.net.URI.create("drover:///orders?port=admin"),
            java.util.Map.of("DROVER_CONTROLLER", "10.0.0.5:7400"));
    assertThat(fromEnv.controller()).isEqualTo("10.0.0.5:7400");
    assertThat(fromEnv.portName()).contains("admin");

    DroverTarget inContainer =
        DroverTarget.parse(
            java.net.URI.create("drover:///orders"),
            java.util.Map.of(
                "DROVER_CONTROLLER", "10.0.0.5:7400", "DROVER_AGENT_LINK", "unix:/run/link.sock"));
    assertThat(inContainer.controller())
        .as("inside a container the agent relays the watch")
        .isEqualTo("unix:/run/link.sock");

    DroverTarget explicit =
        DroverTarget.parse(java.net.URI.create("drover://ctl:7400/orders"), java.util.Map.of());
    assertThat(explicit.controller()).isEqualTo("ctl:7400");

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DroverTarget.parse(java.net.URI.create("drover:///"), java.util.Map.of()))
        .hasMessageContaining("give one service name");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DroverTarget.parse(
                    java.net.URI.create("drover:///orders?zone=a"), java.util.Map.of()))
        .hasMessageContaining("unknown parameter 'zone=a'");
  }

  @Test
  void theAgentsLinkAsTheAgentWritesItIsATargetTheChannelReaches(@TempDir Path dir)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.isAvailable(),
        "Unix sockets need epoll (Linux)");
    Path socket = dir.resolve("link.sock");
    var group = new io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup(1);
    // The group goes last: a server whose event loop is gone waits forever for its channels.
    grpc.registerCloseable(
        () -> group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).await(5_000));
    grpc.register(
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress(
                    socket.toString()))
            .channelType(
                io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(new io.grpc.protobuf.services.HealthStatusManager().getHealthService())
            .build()
            .start());
    ManagedChannel channel =
        grpc.register(DroverNameResolverProvider.controllerChannel("unix:" + socket));
    call(channel, 1);
  }

  @Test
  void againstASecuredControllerTheChannelTrustsTheClusterCaAndSendsTheToken(@TempDir Path dir)
      throws Exception {
    var ca =
        io.drover.common.security.CertificateAuthority.create(
            "test-ca",
            io.drover.common.security.KeyPairs.Algorithm.parse("ec"),
            java.time.Duration.ofDays(1));
    java.security.KeyPair serverKey = io.drover.common.security.KeyPairs.generate();
    java.security.cert.X509Certificate serverCert =
        ca.issueServer(
            serverKey.getPublic(), List.of("127.0.0.1", "localhost"), java.time.Duration.ofDays(1));
    Path caFile =
        java.nio.file.Files.writeString(
            dir.resolve("ca.crt"), io.drover.common.security.Pem.encode(ca.certificate()));
    List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.grpc.Metadata.Key<String> authorization =
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    Server server =
        grpc.register(
            io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                    new java.net.InetSocketAddress("127.0.0.1", 0))
                .sslContext(
                    io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.configure(
                            io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(
                                serverKey.getPrivate(), serverCert))
                        .build())
                .addService(
                    io.grpc.ServerInterceptors.intercept(
                        new io.grpc.protobuf.services.HealthStatusManager().getHealthService(),
                        new io.grpc.ServerInterceptor() {
                          @Override
                          public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                              io.grpc.ServerCall<Q, R> call,
                              io.grpc.Metadata headers,
                              io.grpc.ServerCallHandler<Q, R> next) {
                            authorizations.add(String.valueOf(headers.get(authorization)));
                            return next.startCall(call, headers);
                          }
                        }))
                .build()
                .start());
    java.util.Map<String, String> settings =
        java.util.Map.of("drover.ca", caFile.toString(), "drover.token", "drv_viewer");
    ManagedChannel channel =
        grpc.register(
            DroverNameResolverProvider.controllerChannel(
                "127.0.0.1:" + server.getPort(), settings::get, java.util.Map.of()));
    call(channel, 1);
    assertThat(authorizations).containsExactly("Bearer drv_viewer");

    // Without the CA the channel is plaintext, which a TLS port does not answer.
    ManagedChannel plain =
        grpc.register(
            DroverNameResolverProvider.controllerChannel(
                "127.0.0.1:" + server.getPort(), name -> null, java.util.Map.of()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> call(plain, 1))
        .isInstanceOf(io.grpc.StatusRuntimeException.class);
  }

  /** Makes {@code n} calls, each of which must succeed. */
  private static void call(ManagedChannel channel, int n) {
    for (int i = 0; i < n; i++) {
      HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
    }
  }

  private Backend backend() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ServerInterceptor counting =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            calls.incrementAndGet();
            return next.startCall(call, headers);
          }
        };
    Server server =
        grpc.register(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(
                    ServerInterceptors.intercept(
                        new HealthStatusManager().getHealthService(), counting))
                .build()
                .start());
    return new Backend(server, calls);
  }

  private record Backend(Server server, AtomicInteger calls) {
    Endpoint endpoint() {
      return Endpoint.newBuilder()
          .setInstanceId("orders-" + server.getPort())
          .setAddress("127.0.0.1")
          .putPorts("grpc", server.getPort())
          .setPort(server.getPort())
          .build();
    }
  }

  /** Serves WatchEndpoints of {@code orders} with whatever set the test publishes last. */
  private static final class StandInController extends ControlGrpc.ControlImplBase {
    private final List<StreamObserver<ServiceEndpoints>> watchers = new CopyOnWriteArrayList<>();
    private volatile ServiceEndpoints latest;
    private long version;

    Server start(int port) throws Exception {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
          .addService(this)
          .build()
          .start();
    }

    synchronized void publish(Backend... backends) {
      List<Endpoint> endpoints = new ArrayList<>();
      for (Backend backend : backends) {
        endpoints.add(backend.endpoint());
      }
      latest =
          ServiceEndpoints.newBuilder()
              .setService("orders")
              .setInCatalog(true)
              .setVersion(++version)
              .addAllEndpoints(endpoints)
              .build();
      for (StreamObserver<ServiceEndpoints> watcher : watchers) {
        watcher.onNext(latest);
      }
    }

    @Override
    public synchronized void watchEndpoints(
        WatchEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
      watchers.add(response);
      if (latest != null) {
        response.onNext(latest);
      }
    }
  }
}
