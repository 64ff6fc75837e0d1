package io.drover.agent.grpc;

import io.drover.agent.containers.ContainerSupervisor;
import io.drover.common.errors.UnavailableException;
import io.drover.common.net.HostPort;
import io.drover.common.net.LinkAddress;
import io.grpc.Channel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's node-local gRPC server for its containers' links. Its address must outlive the agent:
 * containers keep running when the agent restarts and attach again to the same address. By default
 * it is a Unix socket in the data dir ({@code run/link.sock}: the directory 0700, the socket 0600);
 * where Unix sockets are unavailable (no epoll, or a data dir path too long for a socket), a
 * loopback port that is kept in {@code run/link.port} and taken again at the next start.
 */
public final class ContainerLinkServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContainerLinkServer.class);

  /** sun_path holds 108 bytes with its terminating zero. */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  private final Server server;
  private final ExecutorService executor;
  private final LinkAddress address;
  private final EventLoopGroup group;

  private ContainerLinkServer(
      Server server, ExecutorService executor, LinkAddress address, EventLoopGroup group) {
    this.server = server;
    this.executor = executor;
    this.address = address;
    this.group = group;
  }

  /**
   * Starts the server.
   *
   * @param listen a TCP address the operator chose, or empty for the default (a Unix socket in
   *     {@code runDir}, else a loopback port kept there)
   * @param runDir the agent's directory for its socket and the port it keeps
   * @param controller the agent's channel to the controller, for the calls containers make through
   *     it (finding other services); null until there is one
   */
  public static ContainerLinkServer start(
      Optional<HostPort> listen,
      Path runDir,
      ContainerSupervisor supervisor,
      Supplier<Channel> controller) {
    try {
      Files.createDirectories(runDir);
      restrict(runDir, "rwx------");
    } catch (IOException e) {
      throw new UnavailableException("cannot create " + runDir + ": " + e.getMessage(), e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "drover-container-link");
              t.setDaemon(true);
              return t;
            });
    Path socket = runDir.resolve("link.sock").toAbsolutePath();
    if (listen.isEmpty() && unixSocketsUsable(socket)) {
      return startUnix(socket, executor, supervisor, controller);
    }
    HostPort tcp = listen.orElse(new HostPort("127.0.0.1", 0));
    return startTcp(tcp, runDir.resolve("link.port"), executor, supervisor, controller);
  }

  private static boolean unixSocketsUsable(Path socket) {
    if (!Epoll.isAvailable()) {
      log.info(
          "Unix sockets are unavailable ({}); containers attach on a loopback port",
          Epoll.unavailabilityCause() == null ? "no epoll" : Epoll.unavailabilityCause());
      return false;
    }
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
      log.info(
          "the socket path {} is longer than {} bytes; containers attach on a loopback port",
          socket,
          MAX_SOCKET_PATH_BYTES);
      return false;
    }
    return true;
  }

  private static ContainerLinkServer startUnix(
      Path socket,
      ExecutorService executor,
      ContainerSupervisor supervisor,
      Supplier<Channel> controller) {
    EventLoopGroup group =
        new EpollEventLoopGroup(1, new DefaultThreadFactory("drover-container-link-io", true));
    try {
      // A socket left behind by an agent that was killed: the data dir's lock says none runs.
      Files.deleteIfExists(socket);
      Server server =
          builder(
                  NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                      .channelType(EpollServerDomainSocketChannel.class)
                      // TCP keepalive means nothing on a Unix socket (and Netty warns of it for
                      // each one).
                      .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                      .bossEventLoopGroup(group)
                      .workerEventLoopGroup(group),
                  executor,
                  supervisor,
                  controller)
              .build();
      server.start();
      restrict(socket, "rw-------");
      return new ContainerLinkServer(server, executor, LinkAddress.unix(socket), group);
    } catch (IOException e) {
      executor.shutdownNow();
      group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
      throw new UnavailableException(
          "cannot listen for containers on " + socket + ": " + e.getMessage(), e);
    }
  }

  private static ContainerLinkServer startTcp(
      HostPort listen,
      Path portFile,
      ExecutorService executor,
      ContainerSupervisor supervisor,
      Supplier<Channel> controller) {
    // A port picked by the system is kept in the data dir and taken again next time, so that
    // containers started by the previous agent find this one.
    boolean keep = listen.port() == 0;
    int kept = keep ? keptPort(portFile) : 0;
    if (kept > 0) {
      try {
        return startTcpOn(listen.withPort(kept), null, executor, supervisor, controller);
      } catch (IOException e) {
        log.warn(
            "cannot listen for containers on the port used before, {} ({}); containers started"
                + " by the previous agent cannot attach again",
            listen.withPort(kept),
            e.getMessage());
      }
    }
    try {
      return startTcpOn(listen, keep ? portFile : null, executor, supervisor, controller);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UnavailableException(
          "cannot listen for containers on " + listen + ": " + e.getMessage(), e);
    }
  }

  private static ContainerLinkServer startTcpOn(
      HostPort listen,
      Path portFile,
      ExecutorService executor,
      ContainerSupervisor supervisor,
      Supplier<Channel> controller)
      throws IOException {
    Server server =
        builder(
                NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port())),
                executor,
                supervisor,
                controller)
            .build();
    server.start();
    HostPort bound = listen.withPort(server.getPort()).forLocalClient();
    if (portFile != null) {
      try {
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, bound.port() + "\n");
        Files.move(
            tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        server.shutdownNow();
        throw e;
      }
    }
    return new ContainerLinkServer(server, executor, LinkAddress.tcp(bound), null);
  }

  private static int keptPort(Path portFile) {
    try {
      return Integer.parseInt(Files.readString(portFile).strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static NettyServerBuilder builder(
      NettyServerBuilder builder,
      ExecutorService executor,
      ContainerSupervisor supervisor,
      Supplier<Channel> controller) {
    return builder
        .executor(executor)
        .addService(new ContainerLinkService(supervisor))
        .addService(new EndpointsRelay(controller))
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxInboundMessageSize(4 << 20);
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system: the container's secret still guards the link.
    }
  }

  /** Where containers attach ({@code DROVER_AGENT_LINK}). */
  public LinkAddress address() {
    return address;
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
    if (group != null) {
      group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
  }
}
