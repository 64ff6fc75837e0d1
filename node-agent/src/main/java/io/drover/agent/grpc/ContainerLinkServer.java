package io.drover.agent.grpc;

import io.drover.agent.containers.ContainerSupervisor;
import io.drover.common.errors.UnavailableException;
import io.drover.common.net.HostPort;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The agent's node-local gRPC server for its containers' links. */
public final class ContainerLinkServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor;
  private final String host;

  private ContainerLinkServer(Server server, ExecutorService executor, String host) {
    this.server = server;
    this.executor = executor;
    this.host = host;
  }

  public static ContainerLinkServer start(HostPort listen, ContainerSupervisor supervisor) {
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "drover-container-link");
              t.setDaemon(true);
              return t;
            });
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()))
            .executor(executor)
            .addService(new ContainerLinkService(supervisor))
            .permitKeepAliveTime(5, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxInboundMessageSize(4 << 20)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UnavailableException(
          "cannot listen for containers on " + listen + ": " + e.getMessage(), e);
    }
    return new ContainerLinkServer(server, executor, listen.host());
  }

  /** HOST:PORT for containers (DROVER_AGENT_LINK). */
  public String address() {
    return new HostPort(host, server.getPort()).toString();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
