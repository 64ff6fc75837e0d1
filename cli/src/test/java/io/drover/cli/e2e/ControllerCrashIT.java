package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerInfo;
import io.drover.v1.CordonNodeRequest;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.ScaleServiceRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the controller in the middle of a scale-up to 50: the restarted controller
 * rebuilds what runs from the agent's hello before it acts, kills nothing, duplicates no instance
 * and no port, and finishes the scale-up it had accepted. Then it is killed again with a corrupt
 * last record in its log (a checksum that does not match): it starts from the last good state, says
 * so (a STATE_REPAIRED event and a log line), and still kills nothing.
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

      DroverProcesses.Daemon restarted = cluster.startController(catalog);
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
      assertThat(cluster.events(1000)).noneMatch(e -> e.getKind().equals("STATE_REPAIRED"));

      // Corrupt log: the last record (a cordon of node-1) gets a bad checksum, as a crash in the
      // middle of its append would leave it. The controller starts from the state before it.
      Path logDir = dir.resolve("controller/state/log");
      long before = lastRecord(logDir).index();
      cluster
          .control()
          .cordonNode(CordonNodeRequest.newBuilder().setNode("node-1").setCordon(true).build());
      assertThat(node1(cluster).getCordoned()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> lastRecord(logDir).index() > before);
      restarted.process().toHandle().destroyForcibly();
      assertThat(restarted.waitForExit(Duration.ofSeconds(10))).isTrue();
      LastRecord cordon = lastRecord(logDir);
      assertThat(cordon.index()).isEqualTo(before + 1);
      try (FileChannel log =
          FileChannel.open(cordon.segment(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        // The payload's last byte, flipped: the length and index still read well.
        ByteBuffer last = ByteBuffer.allocate(1);
        log.read(last, cordon.end() - 1);
        last.put(0, (byte) ~last.get(0)).rewind();
        log.write(last, cordon.end() - 1);
      }

      DroverProcesses.Daemon repaired = cluster.startController(catalog);
      String said =
          "log: dropped a torn record at offset "
              + cordon.offset()
              + " of "
              + cordon.segment().getFileName()
              + " (a checksum mismatch); state is as of index "
              + (cordon.index() - 1);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  cluster.events(1000).stream()
                      .anyMatch(
                          e ->
                              e.getKind().equals("STATE_REPAIRED") && e.getMessage().equals(said)));
      assertThat(repaired.output()).contains("desired state repaired: " + said);
      Node back =
          await()
              .atMost(Duration.ofSeconds(60))
              .ignoreExceptions()
              .until(() -> node1(cluster), n -> n.getState() == NodeState.NODE_STATE_READY);
      assertThat(back.getCordoned()).as("node-1 cordoned after the repair").isFalse();
      assertThat(
              cluster
                  .control()
                  .listServices(ListServicesRequest.getDefaultInstance())
                  .getServicesList())
          .singleElement()
          .satisfies(s -> assertThat(s.getDesired()).isEqualTo(TARGET));
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == TARGET);
      Map<String, Long> readyRepaired = new HashMap<>();
      cluster.ready().forEach(i -> readyRepaired.put(i.getId(), i.getPid()));
      assertThat(readyRepaired).as("the same instances, the same processes").isEqualTo(readyAfter);
    }
  }

  private static Node node1(TestCluster cluster) {
    return cluster.control().getNode(GetNodeRequest.newBuilder().setNode("node-1").build());
  }

  /** Where the newest record of the command log sits: {@code [offset, end)} of its segment. */
  private record LastRecord(Path segment, long offset, long end, long index) {}

  /**
   * Reads the frames of the newest segment ({@code length | crc32c | index | payload}, as the
   * controller writes them) up to the last whole one.
   */
  private static LastRecord lastRecord(Path logDir) throws IOException {
    Path segment;
    try (Stream<Path> files = Files.list(logDir)) {
      segment =
          files
              .filter(p -> p.getFileName().toString().endsWith(".log"))
              .max(Comparator.naturalOrder())
              .orElseThrow();
    }
    ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
    LastRecord last = null;
    int position = 0;
    while (data.limit() - position >= 16) {
      int length = data.getInt(position);
      if (length < 0 || data.limit() - position - 16 < length) {
        break;
      }
      last = new LastRecord(segment, position, position + 16L + length, data.getLong(position + 8));
      position += 16 + length;
    }
    assertThat(last).as("a record in %s", segment).isNotNull();
    return last;
  }

  private static List<ContainerInfo> containers(TestCluster cluster) {
    return cluster
        .control()
        .listContainers(ListContainersRequest.getDefaultInstance())
        .getContainersList();
  }
}
