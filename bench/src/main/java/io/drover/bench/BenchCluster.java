package io.drover.bench;

import io.drover.agent.NodeAgent;
import io.drover.agent.config.AgentConfig;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListInstancesRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real controller and one real agent in this JVM, starting real container JVMs from this JVM's
 * classpath, with the example services' jar; for benchmarks that time whole paths.
 */
final class BenchCluster implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  final Path dir;
  final Path examplesJar;
  private final Controller controller;
  private final NodeAgent agent;
  private final ManagedChannel channel;
  final ControlGrpc.ControlBlockingStub control;

  /**
   * @param catalog YAML with {@code %s} where the examples jar's path goes
   */
  BenchCluster(String catalog) throws IOException {
    examplesJar =
        Path.of(System.getProperty("drover.examples.jar", "examples/target/drover-examples.jar"))
            .toAbsolutePath();
    if (!Files.isRegularFile(examplesJar)) {
      throw new IllegalStateException(
          examplesJar + " is missing: run ./mvnw -pl bench -am package first");
    }
    dir = Files.createTempDirectory("drover-bench-");
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(file, catalog.replace("%s", examplesJar.toString()));
    HostPort loopback = new HostPort("127.0.0.1", 0);
    controller =
        Controller.start(
            ControllerConfig.defaults(loopback, loopback, dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(file, dir)));
    agent =
        NodeAgent.start(
            new AgentConfig(
                new HostPort("127.0.0.1", controller.grpcPort()),
                dir.resolve("agent"),
                "bench",
                new PortRange(24000, 24999),
                loopback,
                Optional.empty(),
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                AgentConfig.Containers.defaults()));
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
    control = ControlGrpc.newBlockingStub(channel);
  }

  ControlGrpc.ControlBlockingStub call() {
    return control.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  List<Instance> instances(String service, InstanceState... states) {
    List<InstanceState> wanted = List.of(states);
    return call()
        .listInstances(ListInstancesRequest.newBuilder().setService(service).build())
        .getInstancesList()
        .stream()
        .filter(i -> wanted.contains(i.getState()))
        .toList();
  }

  int idleContainers() {
    return (int)
        call()
            .listContainers(ListContainersRequest.getDefaultInstance())
            .getContainersList()
            .stream()
            .filter(c -> c.getContainer().getState().name().equals("CONTAINER_STATE_IDLE"))
            .count();
  }

  /**
   * Whether an instance not in {@code except}, placed on a container, accepts on its first port as
   * the listing now gives it (the bind test may have moved it to another port).
   */
  static boolean acceptsOnItsPort(List<Instance> instances, java.util.Set<String> except) {
    for (Instance i : instances) {
      if (!except.contains(i.getId())
          && (i.getState() == InstanceState.INSTANCE_STATE_STARTING
              || i.getState() == InstanceState.INSTANCE_STATE_READY)
          && i.getPortsCount() > 0
          && accepts(i.getPorts(0).getPort())) {
        return true;
      }
    }
    return false;
  }

  static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      check(start);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  static void check(long start) {
    if (System.nanoTime() - start > TIMEOUT.toNanos()) {
      throw new IllegalStateException("no progress within " + TIMEOUT.toSeconds() + " s");
    }
  }

  static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  @Override
  public void close() throws IOException {
    channel.shutdownNow();
    agent.closeWithContainers();
    agent.close();
    controller.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
