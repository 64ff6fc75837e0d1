package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerInfo;
import io.drover.v1.ContainerState;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.NodeState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server dies with everything on it ({@code kill -9} of its agent and its containers): the
 * controller declares it lost after {@code lostAfter} and the service serves again from another
 * node, taken from its warm pool: each replacement is placed into one of that node's idle
 * containers (INSTANCE_PLACED with {@code mode=warm}).
 */
class DeadServerIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void theInstancesOfAKilledServerAreReplacedOnAnotherNode() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        TestCluster.helloCatalog(dir, "replicas: {min: 1, max: 4, initial: 2}", "warmPool: 2");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(catalog);
      DroverProcesses.Daemon doomed = cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () ->
                  cluster.ready().size() == 2
                      && cluster.ready().stream().allMatch(cluster::serves));
      List<Instance> originals = cluster.ready();
      cluster.startAgent("node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> idleContainers(cluster, "node-2").size() >= 2);
      Set<String> warmOnNode2 = new HashSet<>(idleContainers(cluster, "node-2"));

      List<ProcessHandle> everything = new ArrayList<>();
      everything.add(doomed.process().toHandle());
      for (ContainerInfo c :
          cluster
              .control()
              .listContainers(ListContainersRequest.newBuilder().setNode("node-1").build())
              .getContainersList()) {
        ProcessHandle.of(c.getContainer().getPid()).ifPresent(everything::add);
      }
      assertThat(everything).as("the agent and its containers").hasSizeGreaterThanOrEqualTo(3);
      long killedAt = System.currentTimeMillis();
      everything.forEach(ProcessHandle::destroyForcibly);

      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                List<Instance> ready = cluster.ready();
                return ready.size() == 2
                    && ready.stream().allMatch(i -> i.getNodeName().equals("node-2"))
                    && ready.stream().allMatch(cluster::serves);
              });
      long servingAfter = System.currentTimeMillis() - killedAt;

      assertThat(cluster.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList())
          .filteredOn(n -> n.getName().equals("node-1"))
          .singleElement()
          .satisfies(n -> assertThat(n.getState()).isEqualTo(NodeState.NODE_STATE_LOST));
      List<Event> events = cluster.events(200);
      Event lost =
          events.stream()
              .filter(e -> e.getKind().equals("NODE_LOST") && e.getSubject().equals("node/node-1"))
              .findFirst()
              .orElseThrow();
      Set<String> lostInstances = new HashSet<>();
      events.stream()
          .filter(e -> e.getKind().equals("INSTANCE_LOST"))
          .forEach(e -> lostInstances.add(e.getSubject().substring("instance/".length())));
      assertThat(lostInstances)
          .containsExactlyInAnyOrderElementsOf(originals.stream().map(Instance::getId).toList());
      Set<Integer> ports = new HashSet<>();
      cluster.ready().forEach(i -> assertThat(ports.add(i.getPorts(0).getPort())).isTrue());
      // From the warm pool first: each replacement was placed into one of node-2's idle
      // containers, not started cold.
      for (Instance replacement : cluster.ready()) {
        assertThat(events)
            .as("INSTANCE_PLACED of %s", replacement.getId())
            .filteredOn(
                e ->
                    e.getKind().equals("INSTANCE_PLACED")
                        && e.getSubject().equals("instance/" + replacement.getId()))
            .isNotEmpty()
            .allSatisfy(
                e -> {
                  assertThat(e.getAttributesMap()).containsEntry("mode", "warm");
                  assertThat(e.getAttributesMap()).containsEntry("node", "node-2");
                  assertThat(e.getAttributesMap())
                      .containsEntry("container", replacement.getContainerId());
                });
        assertThat(warmOnNode2)
            .as("the idle containers of node-2 before the kill")
            .contains(replacement.getContainerId());
      }
      System.out.printf(
          "dead server: declared lost %d ms after kill -9, replacements serving after %d ms%n",
          lost.getTimeMs() - killedAt, servingAfter);
    }
  }

  private static List<String> idleContainers(TestCluster cluster, String node) {
    return cluster
        .control()
        .listContainers(ListContainersRequest.newBuilder().setNode(node).build())
        .getContainersList()
        .stream()
        .filter(c -> c.getContainer().getState() == ContainerState.CONTAINER_STATE_IDLE)
        .map(c -> c.getContainer().getContainerId())
        .toList();
  }
}
