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
import io.drover.v1.ScaleServiceRequest;
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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * From {@code ScaleService +1} to the new instance accepting TCP on its port, for a warm service
 * (an IDLE container of the pool takes it) and a cold one (a JVM is started for it), in the same
 * run on the same machine. A real controller and agent in this JVM, real container JVMs.
 *
 * <pre>java -cp bench/target/drover-bench.jar io.drover.bench.ScaleLatencyBench [RUNS] [JSON]</pre>
 */
public final class ScaleLatencyBench {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int WARMUP = 5;

  private ScaleLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path json = Path.of(args.length > 1 ? args[1] : "bench/results/scale-latency.json");
    Path jar =
        Path.of(System.getProperty("drover.examples.jar", "examples/target/drover-examples.jar"))
            .toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw -pl bench -am package first");
    }
    Path dir = Files.createTempDirectory("drover-bench-");
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        profiles:
          small: {heapMb: 64, flags: [-XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xss512k]}
        services:
          - {name: warm, artifact: {path: %1$s}, entry: io.drover.examples.hello.HelloService,
             profile: small, replicas: {min: 0, max: 10, initial: 0}, ports: [http], warmPool: 2,
             gracePeriod: 1s}
          - {name: cold, artifact: {path: %1$s}, entry: io.drover.examples.hello.HelloService,
             mode: cold, profile: small, replicas: {min: 0, max: 10, initial: 0}, ports: [http],
             gracePeriod: 1s}
        """
            .formatted(jar));
    HostPort loopback = new HostPort("127.0.0.1", 0);
    try {
      run(dir, catalog, loopback, runs, json);
    } finally {
      deleteTree(dir);
    }
  }

  private static void run(Path dir, Path catalog, HostPort loopback, int runs, Path json)
      throws Exception {
    try (Controller controller =
            Controller.start(
                ControllerConfig.defaults(loopback, loopback, dir.resolve("controller"))
                    .withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir)));
        NodeAgent agent =
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
                    AgentConfig.Containers.defaults()))) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
      try {
        ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel);
        // The first runs also time the JIT compiling the controller's and agent's paths; they
        // are reported apart, as JMH does with its warm-up iterations.
        List<Double> warmup = measure(control, "warm", WARMUP, () -> idleContainers(control) >= 2);
        List<Double> warm = measure(control, "warm", runs, () -> idleContainers(control) >= 2);
        List<Double> cold = measure(control, "cold", runs, () -> true);
        report(runs, warmup, warm, cold, json);
      } finally {
        channel.shutdownNow();
        agent.closeWithContainers();
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static List<Double> measure(
      ControlGrpc.ControlBlockingStub control, String service, int runs, BooleanSupplier ready)
      throws Exception {
    List<Double> millis = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      waitFor(() -> liveInstances(control, service).isEmpty() && ready.getAsBoolean());
      long start = System.nanoTime();
      deadline(control)
          .scaleService(
              ScaleServiceRequest.newBuilder().setService(service).setReplicas(1).build());
      int port = 0;
      while (port == 0) {
        for (Instance i : liveInstances(control, service)) {
          if (i.getPortsCount() > 0) {
            port = i.getPorts(0).getPort();
          }
        }
        check(start);
      }
      while (!accepts(port)) {
        check(start);
      }
      millis.add((System.nanoTime() - start) / 1e6);
      deadline(control)
          .scaleService(
              ScaleServiceRequest.newBuilder().setService(service).setReplicas(0).build());
      System.err.printf(Locale.ROOT, "%s run %d: %.1f ms%n", service, run + 1, millis.get(run));
    }
    return millis;
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Instance> liveInstances(
      ControlGrpc.ControlBlockingStub control, String service) {
    return deadline(control)
        .listInstances(ListInstancesRequest.newBuilder().setService(service).build())
        .getInstancesList()
        .stream()
        .filter(
            i ->
                i.getState() == InstanceState.INSTANCE_STATE_PENDING
                    || i.getState() == InstanceState.INSTANCE_STATE_STARTING
                    || i.getState() == InstanceState.INSTANCE_STATE_READY
                    || i.getState() == InstanceState.INSTANCE_STATE_STOPPING)
        .toList();
  }

  private static int idleContainers(ControlGrpc.ControlBlockingStub control) {
    return (int)
        deadline(control)
            .listContainers(ListContainersRequest.getDefaultInstance())
            .getContainersList()
            .stream()
            .filter(c -> c.getContainer().getState().name().equals("CONTAINER_STATE_IDLE"))
            .count();
  }

  private static ControlGrpc.ControlBlockingStub deadline(ControlGrpc.ControlBlockingStub control) {
    return control.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      check(start);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private static void check(long start) {
    if (System.nanoTime() - start > TIMEOUT.toNanos()) {
      throw new IllegalStateException("no progress within " + TIMEOUT.toSeconds() + " s");
    }
  }

  private static void report(
      int runs, List<Double> warmup, List<Double> warm, List<Double> cold, Path json)
      throws IOException {
    double warmP50 = percentile(warm, 50);
    double warmP99 = percentile(warm, 99);
    double coldP50 = percentile(cold, 50);
    double coldP99 = percentile(cold, 99);
    String line =
        String.format(
            Locale.ROOT,
            "scale-latency runs=%d warm p50=%.1fms p99=%.1fms cold p50=%.1fms p99=%.1fms"
                + " warm/cold p50=%.3f; the first %d warm runs, not counted: %s ms",
            runs,
            warmP50,
            warmP99,
            coldP50,
            coldP99,
            warmP50 / coldP50,
            warmup.size(),
            warmup.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    System.out.println(line);
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(
        json,
        String.format(
            Locale.ROOT,
            "{\"runs\":%d,\"warmupMs\":%s,\"warmP50Ms\":%.2f,\"warmP99Ms\":%.2f,\"coldP50Ms\":%.2f,\"coldP99Ms\":%.2f,"
                + "\"warmOverColdP50\":%.4f,\"cores\":%d,\"java\":\"%s\"}%n",
            runs,
            warmup,
            warmP50,
            warmP99,
            coldP50,
            coldP99,
            warmP50 / coldP50,
            Runtime.getRuntime().availableProcessors(),
            Runtime.version()));
  }

  static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
