package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerInfo;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ScaleServiceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the controller in the middle of a scale-up to 50: the restarted controller
 * rebuilds what runs from the agent's hello before it acts, kills nothing, duplicates no instance
 * and no port, and finishes the scale-up it had accepted.
 */
class ControllerCrashIT {
  private static final int TARGET = 50;

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void aControllerKilledDuringAScaleUpFinishesItAfterItsRestartAndKillsNothing() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        TestCluster.helloCatalog(
            dir,
            "resources: {memoryMb: 128, cpuMillis: 10}",
            "replicas: {min: 1, max: 60, initial: 1}",
            "warmPool: 4");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      DroverProcesses.Daemon controller = cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 1);
      cluster
          .control()
          .scaleService(
              ScaleServiceRequest.newBuilder().setService("hello").setReplicas(TARGET).build());
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() >= 8);

      Map<String, Long> pidsBefore = new HashMap<>();
      for (ContainerInfo c : containers(cluster)) {
        pidsBefore.put(c.getContainer().getContainerId(), c.getContainer().getPid());
      }
      Map<String, Long> readyBefore = new HashMap<>();
      cluster.ready().forEach(i -> readyBefore.put(i.getId(), i.getPid()));
      controller.process().toHandle().destroyForcibly();
      assertThat(controller.waitForExit(Duration.ofSeconds(10))).isTrue();

      cluster.startController(catalog);
      await()
          .atMost(Duration.ofSeconds(240))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == TARGET);

      // Nothing that ran before the crash was killed.
      for (Map.Entry<String, Long> c : pidsBefore.entrySet()) {
        assertThat(ProcessHandle.of(c.getValue()).map(ProcessHandle::isAlive).orElse(false))
            .as("container %s (pid %d) survived the controller's crash", c.getKey(), c.getValue())
            .isTrue();
      }
      // The instances ready before the crash are the same processes after it.
      Map<String, Long> readyAfter = new HashMap<>();
      cluster.ready().forEach(i -> readyAfter.put(i.getId(), i.getPid()));
      readyBefore.forEach(
          (id, pid) -> assertThat(readyAfter).as("instance %s", id).containsEntry(id, pid));
      // No instance and no port twice; exactly the target runs, each in its own container.
      List<Instance> all = cluster.ready();
      assertThat(new HashSet<>(all.stream().map(Instance::getId).toList())).hasSize(TARGET);
      Set<Integer> ports = new HashSet<>();
      all.forEach(i -> assertThat(ports.add(i.getPorts(0).getPort())).as(i.getId()).isTrue());
      List<ContainerInfo> running =
          containers(cluster).stream()
              .filter(c -> !c.getContainer().getInstanceId().isEmpty())
              .toList();
      assertThat(running).hasSize(TARGET);
      assertThat(
              new HashSet<>(running.stream().map(c -> c.getContainer().getInstanceId()).toList()))
          .hasSize(TARGET);
      assertThat(cluster.events(1000)).anyMatch(e -> e.getKind().equals("SCHEDULING_RESUMED"));
    }
  }

  private static List<ContainerInfo> containers(TestCluster cluster) {
    return cluster
        .control()
        .listContainers(ListContainersRequest.getDefaultInstance())
        .getContainersList();
  }
}
