package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceEndpoints;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service discovery with real processes: a caller that finds the example HelloService only through
 * {@code WatchEndpoints} sends requests without pause while the service scales, a node drains, an
 * instance is killed and the controller restarts.
 */
class DiscoveryIT {
  private static final int CALLER_THREADS = 3;

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void noRequestFailsThroughScaleAndDrainAndAKillCostsOnlyWhatWasInFlight() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog = catalog("hello");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      cluster.startAgent("node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 2);

      try (DiscoveringClient caller =
          new DiscoveringClient(cluster.controllerAddress(), "hello", CALLER_THREADS)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> caller.endpoints().size() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> caller.succeeded() > 50);

        // 2 -> 5: each new instance is called only once it is READY, and then it is called.
        scale(cluster, 5);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> caller.endpoints().size() == 5 && cluster.ready().size() == 5);
        Set<String> five = Set.copyOf(caller.instanceIds());
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> five.stream().allMatch(id -> caller.servedBy(id) > 0));

        // 5 -> 1: four leave discovery, wait their grace period, and only then stop.
        long beforeScaleIn = caller.succeeded();
        scale(cluster, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> caller.endpoints().size() == 1);
        Set<String> left =
            five.stream()
                .filter(id -> !caller.instanceIds().contains(id))
                .collect(Collectors.toSet());
        assertThat(left).hasSize(4);
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> stillRunning(cluster, left).isEmpty());
        System.out.println("after 2 -> 5 -> 1: " + caller);
        explain(cluster, caller);
        assertThat(caller.succeeded()).isGreaterThan(beforeScaleIn);
        assertThat(caller.failures()).as("failures while scaling: %s", caller).isEmpty();
        // A refused connection would mean the set named an instance that did not listen (yet).
        assertThat(caller.refused()).as("connections refused while scaling: %s", caller).isZero();

        // Drain the node of the one instance left, with three more to move.
        scale(cluster, 4);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> caller.endpoints().size() == 4 && cluster.ready().size() == 4);
        String busiest = busiestNode(cluster);
        long before = caller.succeeded();
        var drained =
            drover.run("drain", busiest, "--wait", "--controller", cluster.controllerAddress());
        assertThat(drained.exitCode()).as(drained.stderr()).isZero();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    caller.endpoints().size() == 4
                        && caller.endpoints().stream()
                            .noneMatch(e -> e.getNodeName().equals(busiest)));
        assertThat(caller.succeeded()).isGreaterThan(before);
        System.out.println("after the drain of " + busiest + ": " + caller);
        explain(cluster, caller);
        assertThat(caller.failures()).as("failures while draining: %s", caller).isEmpty();
        assertThat(caller.refused()).as("connections refused while draining: %s", caller).isZero();

        // kill -9 of one instance: only requests in flight to it may fail.
        Instance victim = cluster.ready().get(0);
        long sentBefore = caller.succeeded();
        ProcessHandle.of(victim.getPid()).orElseThrow().destroyForcibly();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> !caller.instanceIds().contains(victim.getId()));
        // Its agent restarts it in place; it is called again once its health check passes.
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> caller.instanceIds().contains(victim.getId()));
        long servedAfter = caller.servedBy(victim.getId());
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> caller.servedBy(victim.getId()) > servedAfter);
        System.out.println("after the kill of " + victim.getId() + ": " + caller);
        explain(cluster, caller);
        assertThat(caller.succeeded()).isGreaterThan(sentBefore);
        assertThat(caller.failures())
            .as("failures after the kill: %s", caller)
            .hasSizeLessThanOrEqualTo(CALLER_THREADS)
            .allMatch(f -> f.instanceId().equals(victim.getId()));
      }
    }
  }

  @Test
  void anUnknownServiceIsNotFoundAWatchFillsOnceItExistsAndResumesAfterAControllerRestart()
      throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog = catalog("hello");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      DroverProcesses.Daemon controller = cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 2);

      assertThatThrownBy(
              () ->
                  cluster
                      .control()
                      .listEndpoints(
                          ListEndpointsRequest.newBuilder().setService("orders").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      var unknown = drover.run("endpoints", "orders", "--controller", cluster.controllerAddress());
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.stderr()).contains("orders").contains("not found");

      try (DiscoveringClient orders =
          new DiscoveringClient(cluster.controllerAddress(), "orders", 1)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !orders.sets().isEmpty());
        ServiceEndpoints first = orders.sets().get(0);
        assertThat(first.getInCatalog()).isFalse();
        assertThat(first.getEndpointsList()).isEmpty();

        DroverProcesses.Daemon cliWatch =
            drover.start(
                "endpoints",
                "orders",
                "--watch",
                "--output",
                "json",
                "--controller",
                cluster.controllerAddress());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> cliWatch.output().contains("\"inCatalog\":false"));

        String both = Files.readString(catalog) + service("orders");
        cluster
            .control()
            .applyCatalog(
                ApplyCatalogRequest.newBuilder().setYaml(both).setSourceName("both").build());
        await().atMost(Duration.ofSeconds(90)).until(() -> orders.endpoints().size() == 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> orders.succeeded() > 20);
        assertThat(orders.sets())
            .as("every set the watch received")
            .allMatch(
                set ->
                    set.getEndpointsList().stream()
                        .allMatch(e -> e.getInstanceId().startsWith("orders-")));
        var listed =
            drover.run(
                "endpoints",
                "orders",
                "--output",
                "json",
                "--controller",
                cluster.controllerAddress());
        assertThat(listed.exitCode()).as(listed.stderr()).isZero();
        for (String id : orders.instanceIds()) {
          assertThat(listed.stdout()).contains("\"instance\" : \"" + id + "\"");
        }

        // The controller goes away: the caller keeps its last set, and it still works.
        List<String> beforeCrash = orders.instanceIds();
        int setsBeforeCrash = orders.sets().size();
        controller.process().toHandle().destroyForcibly();
        assertThat(controller.waitForExit(Duration.ofSeconds(10))).isTrue();
        long during = orders.succeeded();
        await().atMost(Duration.ofSeconds(10)).until(() -> orders.succeeded() > during + 20);
        assertThat(orders.instanceIds()).isEqualTo(beforeCrash);

        // Back, it sends its first set only once its node has reported: never an empty one. The
        // agent's reconnect backoff may reach 30 s; a startup grace as long lets it report first.
        cluster.startController(catalog, "--startup-grace", "30s");
        await().atMost(Duration.ofSeconds(60)).until(() -> orders.sets().size() > setsBeforeCrash);
        scale(cluster, "orders", 3);
        await().atMost(Duration.ofSeconds(90)).until(() -> orders.endpoints().size() == 3);
        assertThat(orders.sets().subList(setsBeforeCrash, orders.sets().size()))
            .as("sets received after the restart")
            .allMatch(set -> set.getEndpointsCount() >= 2);
        ServiceEndpoints listedNow =
            cluster
                .control()
                .listEndpoints(ListEndpointsRequest.newBuilder().setService("orders").build());
        assertThat(listedNow.getEndpointsList()).isEqualTo(orders.endpoints());
        assertThat(orders.failures()).as("%s", orders).isEmpty();

        // drover endpoints --watch followed it all, through the restart, to the same set.
        String lastLine =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> {
                      List<String> lines = cliWatch.output().lines().toList();
                      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
                    },
                    line -> orders.instanceIds().stream().allMatch(line::contains));
        assertThat(lastLine).contains("\"inCatalog\":true");
        assertThat(cliWatch.process().isAlive()).isTrue();
      }
    }
  }

  private Path catalog(String name) throws java.io.IOException {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, "services:\n" + service(name));
    return catalog;
  }

  /**
   * A HelloService with an HTTP health check and a grace period long enough for every caller to
   * hear that an instance left before it stops.
   */
  private static String service(String name) {
    return """
          - name: %s
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            ports: [http]
            health: {type: http, path: /healthz, interval: 1s}
            gracePeriod: 3s
            replicas: {min: 1, max: 6, initial: 2}
            warmPool: 1
        """
        .formatted(name, TestCluster.EXAMPLES);
  }

  /** When a request failed: what the controller did to its instance, and what the caller knew. */
  private static void explain(TestCluster cluster, DiscoveringClient caller) {
    Set<String> failed =
        caller.failures().stream()
            .map(DiscoveringClient.Failure::instanceId)
            .collect(Collectors.toSet());
    if (failed.isEmpty()) {
      return;
    }
    System.out.println("sets received:" + caller.history());
    cluster.events(2000).stream()
        .filter(e -> failed.stream().anyMatch(id -> e.getSubject().equals("instance/" + id)))
        .forEach(
            e ->
                System.out.println(
                    java.time.Instant.ofEpochMilli(e.getTimeMs())
                        + " "
                        + e.getKind()
                        + " "
                        + e.getMessage()));
  }

  private static void scale(TestCluster cluster, int replicas) {
    scale(cluster, "hello", replicas);
  }

  private static void scale(TestCluster cluster, String service, int replicas) {
    cluster
        .control()
        .scaleService(
            ScaleServiceRequest.newBuilder().setService(service).setReplicas(replicas).build());
  }

  /** The instances among {@code ids} that have not stopped yet. */
  private static Set<String> stillRunning(TestCluster cluster, Set<String> ids) {
    return cluster.instances().stream()
        .filter(i -> ids.contains(i.getId()))
        .filter(
            i ->
                i.getState() != InstanceState.INSTANCE_STATE_STOPPED
                    && i.getState() != InstanceState.INSTANCE_STATE_FAILED)
        .map(Instance::getId)
        .collect(Collectors.toSet());
  }

  private static String busiestNode(TestCluster cluster) {
    return cluster.ready().stream()
        .collect(Collectors.groupingBy(Instance::getNodeName, Collectors.counting()))
        .entrySet()
        .stream()
        .max(java.util.Map.Entry.comparingByValue())
        .orElseThrow()
        .getKey();
  }
}
