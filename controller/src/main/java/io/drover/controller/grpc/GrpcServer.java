package io.drover.controller.grpc;

import io.drover.common.errors.UnavailableException;
import io.drover.controller.config.ControllerConfig;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The controller's gRPC server: Control and AgentGateway, standard health and v1 reflection, with
 * keepalive settings that match the agents' and a bounded pool for handlers.
 */
public final class GrpcServer implements AutoCloseable {
  /** Handlers only touch memory, so a long queue drains fast; it still has an end. */
  private static final int HANDLER_QUEUE = 100_000;

  private final Server server;
  private final HealthStatusManager health;
  private final ThreadPoolExecutor executor;

  private GrpcServer(Server server, HealthStatusManager health, ThreadPoolExecutor executor) {
    this.server = server;
    this.health = health;
    this.executor = executor;
  }

  /**
   * Starts serving {@code services} (each sees the caller's address), gRPC health and reflection.
   */
  public static GrpcServer start(ControllerConfig config, List<BindableService> services) {
    return start(config, services, Optional.empty(), null, Integer.MAX_VALUE);
  }

  /**
   * As {@link #start(ControllerConfig, List)}, serving TLS when {@code tls} is given (each call
   * then sees the caller's certificate, if it presented an accepted one), with every call (health
   * and reflection too) checked by {@code access} when given, and requests other than the agent
   * stream's limited to {@code maxRequestBytes}.
   */
  public static GrpcServer start(
      ControllerConfig config,
      List<BindableService> services,
      Optional<ServerTls> tls,
      io.drover.controller.access.AccessControl access,
      int maxRequestBytes) {
    AtomicInteger threadCount = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            config.grpcThreads(),
            config.grpcThreads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(HANDLER_QUEUE),
            r -> {
              Thread t = new Thread(r, "drover-grpc-" + threadCount.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    HealthStatusManager health = new HealthStatusManager();
    PeerAddressInterceptor peer = new PeerAddressInterceptor();
    ClientCertificateInterceptor certificates =
        new ClientCertificateInterceptor(
            tls.isPresent() ? tls.get().refusal() : certificate -> Optional.of("plaintext"));
    // Listed innermost first: the certificate check runs first (access reads whether a node
    // certificate was accepted), then access, then the size check, then the peer address.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(peer);
    interceptors.add(new MessageLimitInterceptor(maxRequestBytes));
    List<ServerInterceptor> guards = new ArrayList<>();
    if (access != null) {
      interceptors.add(new AccessInterceptor(access));
      guards.add(new AccessInterceptor(access));
    }
    interceptors.add(certificates);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.listen().host(), config.listen().port()))
            .executor(executor);
    tls.ifPresent(t -> builder.sslContext(t.sslContext()));
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, interceptors));
    }
    Server server =
        builder
            .addService(ServerInterceptors.intercept(health.getHealthService(), guards))
            .addService(
                ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), guards))
            // Agents ping every 10 s; allow a little faster so that no agent is ever cut off.
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTimeout(5, TimeUnit.SECONDS)
            // The transport limit sits above maxMessageBytes so that the service, not the
            // transport, refuses an oversized message, with INVALID_ARGUMENT and the field.
            .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, 4L * config.maxMessageBytes()))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UnavailableException(
          "cannot listen for gRPC on " + config.listen() + ": " + rootMessage(e), e);
    }
    health.setStatus("", ServingStatus.SERVING);
    for (BindableService service : services) {
      health.setStatus(
          service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    return new GrpcServer(server, health, executor);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  public int port() {
    return server.getPort();
  }

  public boolean isServing() {
    return !server.isShutdown();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    executor.shutdownNow();
  }
}
