package io.drover.bench.swarm;

import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.ServiceStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A controller process and a swarm of simulated agents joined to it: the setting of the scenario
 * benchmarks. Closing it stops both and removes the temporary directory.
 */
public final class SwarmScenario implements AutoCloseable {
  public final Path dir;
  public final ControllerProcess controller;
  public final Swarm swarm;

  /** The controller's live heap before any node joined, in bytes. */
  public final long heapWithoutNodes;

  private final Path artifact;

  /**
   * Starts the controller with an empty catalog and joins {@code nodes} simulated agents to it.
   *
   * @param settings extra {@code DROVER_*} settings of the controller
   */
  public SwarmScenario(
      int nodes,
      Duration telemetryInterval,
      int containerMetricsPerSample,
      Map<String, String> settings)
      throws IOException, InterruptedException {
    this(nodes, 0, telemetryInterval, containerMetricsPerSample, settings);
  }

  /** As above, each node already running {@code spares} IDLE containers when it joins. */
  public SwarmScenario(
      int nodes,
      int spares,
      Duration telemetryInterval,
      int containerMetricsPerSample,
      Map<String, String> settings)
      throws IOException, InterruptedException {
    dir = Files.createTempDirectory("drover-swarm-");
    artifact = dir.resolve("service.jar");
    // Simulated agents never load it; the controller only needs a file to name.
    Files.writeString(artifact, "simulated service");
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, "services: []\n");
    ControllerProcess started = null;
    Swarm agents = null;
    long heap;
    try {
      started = ControllerProcess.start(cliJar(), dir, catalog, settings, null);
      heap = started.heapAfterGc();
      agents =
          new Swarm(
              telemetryInterval,
              containerMetricsPerSample,
              Math.max(2, Runtime.getRuntime().availableProcessors()));
      agents.connect(started.grpcPort(), nodes, 2000, spares);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (agents != null) {
        agents.close();
      }
      if (started != null) {
        started.close();
      }
      throw e;
    }
    controller = started;
    swarm = agents;
    heapWithoutNodes = heap;
    awaitNodesMeasured(nodes, Duration.ofSeconds(Math.max(60, nodes / 50)));
  }

  static Path cliJar() {
    return Path.of(System.getProperty("drover.cli.jar", "cli/target/drover-cli.jar"))
        .toAbsolutePath();
  }

  /** Waits until the controller lists every node READY with telemetry. */
  private void awaitNodesMeasured(int nodes, Duration timeout) throws InterruptedException {
    waitFor(
        timeout,
        nodes + " nodes READY with telemetry",
        () -> {
          int ready = 0;
          for (Node n :
              controller
                  .control()
                  .listNodes(ListNodesRequest.getDefaultInstance())
                  .getNodesList()) {
            if (n.getState() == NodeState.NODE_STATE_READY && n.hasTelemetry()) {
              ready++;
            }
          }
          return ready == nodes;
        });
  }

  /**
   * A catalog of {@code services} services of {@code replicas} instances each (the catalog allows
   * at most 1000 per service), each of the smallest size, so that room never limits placement.
   */
  public String catalog(int services, int replicas, boolean cold, int warmPool) {
    StringBuilder yaml = new StringBuilder("profiles:\n  sim: {heapMb: 16}\nservices:\n");
    for (int s = 0; s < services; s++) {
      yaml.append("  - name: svc-")
          .append(s)
          .append("\n    artifact: {path: ")
          .append(artifact)
          .append("}\n    entry: sim.Main\n    profile: sim\n    ports: [http]\n    mode: ")
          .append(cold ? "cold" : "warm")
          .append("\n    warmPool: ")
          .append(warmPool)
          .append("\n    replicas: {min: ")
          .append(replicas)
          .append(", max: ")
          .append(replicas)
          .append("}\n    resources: {memoryMb: 16, cpuMillis: 1}\n    gracePeriod: 1s\n");
    }
    return yaml.toString();
  }

  public void apply(String yaml) {
    controller
        .control()
        .applyCatalog(
            ApplyCatalogRequest.newBuilder().setYaml(yaml).setSourceName("swarm.yaml").build());
  }

  /** Instances READY summed over the services, as the controller reports them. */
  public long readyInstances() {
    long ready = 0;
    for (ServiceStatus s :
        controller
            .control()
            .listServices(ListServicesRequest.getDefaultInstance())
            .getServicesList()) {
      ready += s.getRunning();
    }
    return ready;
  }

  public static void waitFor(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "waited " + timeout.toSeconds() + " s for " + what + " in vain", last);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      swarm.close();
    } finally {
      controller.close();
      String keep = System.getProperty("drover.bench.controllerLog");
      if (keep != null) {
        Files.copy(
            dir.resolve("controller.log"), Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
