package io.drover.controller;

import io.drover.agent.NodeAgent;
import io.drover.agent.config.AgentConfig;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ControlGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real controller and real agents in this JVM, over real loopback sockets, closed after each
 * test.
 */
public final class Cluster implements AfterEachCallback {
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  public Controller controller(Path dataDir) {
    return controller(ControllerConfig.defaults(loopback(0), loopback(0), dataDir));
  }

  public Controller controller(ControllerConfig config) {
    return register(Controller.start(config));
  }

  public Controller controller(
      ControllerConfig config, io.drover.controller.config.AccessConfig access) {
    return register(
        Controller.start(
            config,
            io.drover.controller.config.ControllerOptions.plaintextDev().withAccess(access)));
  }

  public NodeAgent agent(int controllerPort, Path dataDir, String name) {
    return agent(
        controllerPort,
        dataDir,
        name,
        new PortRange(20000, 20999),
        AgentConfig.Containers.defaults());
  }

  /** An agent that hands out {@code ports} and starts containers as {@code containers} says. */
  public NodeAgent agent(
      int controllerPort,
      Path dataDir,
      String name,
      PortRange ports,
      AgentConfig.Containers containers) {
    AgentConfig config =
        new AgentConfig(
            loopback(controllerPort),
            dataDir,
            name,
            ports,
            loopback(0),
            Optional.empty(),
            Duration.ofMillis(100),
            Duration.ofMillis(500),
            containers);
    return register(NodeAgent.start(config));
  }

  public ControlGrpc.ControlBlockingStub control(int controllerPort) {
    ManagedChannel channel =
        register(
            NettyChannelBuilder.forAddress("127.0.0.1", controllerPort).usePlaintext().build());
    // Each call gets its own 10 s deadline, however long the test holds the stub.
    return ControlGrpc.newBlockingStub(channel)
        .withInterceptors(
            new ClientInterceptor() {
              @Override
              public <Q, R> ClientCall<Q, R> interceptCall(
                  MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, options.withDeadlineAfter(10, TimeUnit.SECONDS));
              }
            });
  }

  public ManagedChannel channel(int controllerPort) {
    return register(
        NettyChannelBuilder.forAddress("127.0.0.1", controllerPort).usePlaintext().build());
  }

  /**
   * A channel that takes at most {@code inboundWindowBytes} from the controller before its reader
   * asks for more: a test of a slow reader then fills the controller's side at any machine speed,
   * instead of racing a 1 MiB window.
   */
  public ManagedChannel channel(int controllerPort, int inboundWindowBytes) {
    return register(
        NettyChannelBuilder.forAddress("127.0.0.1", controllerPort)
            .usePlaintext()
            .flowControlWindow(inboundWindowBytes)
            .build());
  }

  public static HostPort loopback(int port) {
    return new HostPort("127.0.0.1", port);
  }

  private <T extends AutoCloseable> T register(T resource) {
    synchronized (resources) {
      resources.push(resource);
    }
    return resource;
  }

  private ManagedChannel register(ManagedChannel channel) {
    register((AutoCloseable) () -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    while (true) {
      AutoCloseable next;
      synchronized (resources) {
        next = resources.poll();
      }
      if (next == null) {
        return;
      }
      next.close();
    }
  }
}
