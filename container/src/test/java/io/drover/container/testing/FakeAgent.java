package io.drover.container.testing;

import io.drover.common.grpc.OutboundStream;
import io.drover.v1.AgentToContainer;
import io.drover.v1.AttachAccepted;
import io.drover.v1.AttachRequest;
import io.drover.v1.ContainerLinkGrpc;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerState;
import io.drover.v1.ContainerStateChange;
import io.drover.v1.ErrorReport;
import io.drover.v1.OverloadReport;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The agent's side of {@code ContainerLink}, for tests: a loopback gRPC server that checks each
 * container's secret, records everything containers send, and sends assign and release.
 */
public final class FakeAgent implements AutoCloseable {
  private final Server server;
  private final EventLoopGroup group;
  private final int metricsIntervalMs;
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private final Map<String, List<ContainerMessage>> received = new ConcurrentHashMap<>();
  private final List<Status> refusals = new CopyOnWriteArrayList<>();

  private FakeAgent(int port, int metricsIntervalMs) throws IOException {
    this.metricsIntervalMs = metricsIntervalMs;
    this.group = null;
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .addService(new Service())
            .build()
            .start();
  }

  private FakeAgent(Path socket, int metricsIntervalMs) throws IOException {
    this.metricsIntervalMs = metricsIntervalMs;
    this.group = new EpollEventLoopGroup(1);
    Files.deleteIfExists(socket);
    this.server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            // TCP keepalive means nothing on a Unix socket (and Netty warns of it for each one).
            .withChildOption(ChannelOption.SO_KEEPALIVE, null)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(new Service())
            .build()
            .start();
  }

  /** A server on the Unix socket {@code socket} (replacing a file left there). */
  public static FakeAgent startUnix(Path socket) throws IOException {
    return new FakeAgent(socket, 200);
  }

  /** A server on {@code port} of loopback (0 picks one) that sends metrics every 200 ms. */
  public static FakeAgent start(int port) throws IOException {
    return new FakeAgent(port, 200);
  }

  public static FakeAgent start(int port, int metricsIntervalMs) throws IOException {
    return new FakeAgent(port, metricsIntervalMs);
  }

  public int port() {
    return server.getPort();
  }

  /** Lets {@code containerId} attach with {@code secret}. */
  public FakeAgent expect(String containerId, String secret) {
    secrets.put(containerId, secret);
    return this;
  }

  /** Whether {@code containerId} has an open, accepted stream. */
  public boolean attached(String containerId) {
    Link link = links.get(containerId);
    return link != null && !link.out.isTerminated();
  }

  public List<ContainerMessage> messages(String containerId) {
    return List.copyOf(received.getOrDefault(containerId, List.of()));
  }

  public List<AttachRequest> attaches(String containerId) {
    return select(containerId, m -> m.hasAttach() ? m.getAttach() : null);
  }

  public List<ContainerStateChange> stateChanges(String containerId) {
    return select(containerId, m -> m.hasStateChange() ? m.getStateChange() : null);
  }

  public List<ContainerState> states(String containerId) {
    return stateChanges(containerId).stream()
        .map(ContainerStateChange::getState)
        .collect(Collectors.toList());
  }

  public List<ContainerMetrics> metrics(String containerId) {
    return select(containerId, m -> m.hasMetrics() ? m.getMetrics() : null);
  }

  public List<OverloadReport> overloads(String containerId) {
    return select(containerId, m -> m.hasOverload() ? m.getOverload() : null);
  }

  public List<ErrorReport> errors(String containerId) {
    return select(containerId, m -> m.hasError() ? m.getError() : null);
  }

  /** The statuses with which attaches were refused. */
  public List<Status> refusals() {
    return List.copyOf(refusals);
  }

  public void assign(String containerId, ServiceAssignment assignment) {
    send(containerId, AgentToContainer.newBuilder().setAssign(assignment).build());
  }

  public void release(String containerId, int gracePeriodMs) {
    send(
        containerId,
        AgentToContainer.newBuilder()
            .setRelease(
                ReleaseContainer.newBuilder()
                    .setContainerId(containerId)
                    .setGracePeriodMs(gracePeriodMs))
            .build());
  }

  public void send(String containerId, AgentToContainer message) {
    Link link = links.get(containerId);
    if (link == null || !link.out.send(message)) {
      throw new IllegalStateException(containerId + " is not attached");
    }
  }

  private <T> List<T> select(String containerId, Function<ContainerMessage, T> pick) {
    return messages(containerId).stream()
        .map(pick)
        .filter(java.util.Objects::nonNull)
        .collect(Collectors.toList());
  }

  /** Stops listening and cuts every stream, as an agent that dies would. */
  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    if (group != null) {
      group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  private record Link(OutboundStream<AgentToContainer> out) {}

  private final class Service extends ContainerLinkGrpc.ContainerLinkImplBase {
    @Override
    public StreamObserver<ContainerMessage> attach(StreamObserver<AgentToContainer> observer) {
      ServerCallStreamObserver<AgentToContainer> call =
          (ServerCallStreamObserver<AgentToContainer>) observer;
      OutboundStream<AgentToContainer> out = OutboundStream.attach(call, 1024);
      return new StreamObserver<>() {
        private String containerId;

        @Override
        public synchronized void onNext(ContainerMessage message) {
          if (containerId == null) {
            AttachRequest attach = message.getAttach();
            String secret = secrets.get(attach.getContainerId());
            if (!message.hasAttach() || secret == null || !secret.equals(attach.getSecret())) {
              Status refusal =
                  Status.UNAUTHENTICATED.withDescription(
                      "unknown container or wrong secret for '" + attach.getContainerId() + "'");
              refusals.add(refusal);
              out.fail(refusal);
              return;
            }
            containerId = attach.getContainerId();
            received.computeIfAbsent(containerId, k -> new CopyOnWriteArrayList<>()).add(message);
            links.put(containerId, new Link(out));
            out.send(
                AgentToContainer.newBuilder()
                    .setAccepted(
                        AttachAccepted.newBuilder().setMetricsIntervalMs(metricsIntervalMs))
                    .build());
            return;
          }
          received.get(containerId).add(message);
        }

        @Override
        public void onError(Throwable t) {
          out.terminated();
        }

        @Override
        public void onCompleted() {
          out.complete();
        }
      };
    }
  }
}
