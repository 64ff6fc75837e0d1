package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.controller.providers.local.NetworkNamespace;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerInfo;
import io.drover.v1.ContainerState;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.PortBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link of a node is cut for 10 s (its agent runs in a network namespace): the node goes SUSPECT
 * then LOST and its instances are replaced; when the link is back, the originals stop and exactly
 * the desired count serves, each port once. The ports of the fenced originals stay taken while the
 * node is lost, and return to its pool once they stopped.
 */
class PartitionIT {
  private static final Duration PARTITION = Duration.ofSeconds(10);
  private static final int NODE_1_PORTS = 1000; // 20000-20999

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void aPartitionedNodeIsReplacedAndItsOriginalsStopWhenTheLinkReturns() throws Exception {
    Optional<String> unavailable = NetworkNamespace.unavailableBecause();
    assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
    long pid = ProcessHandle.current().pid();
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        TestCluster.helloCatalog(dir, "replicas: {min: 1, max: 4, initial: 2}", "warmPool: 2");
    int port = FreePorts.find();
    try (NetworkNamespace ns =
            NetworkNamespace.create("p" + pid % 100_000, "10.213." + pid % 256 + ".0");
        TestCluster cluster = TestCluster.onAllInterfaces(drover, port)) {
      // A short quarantine, so that the ports of the stopped originals are free again soon.
      cluster.startController(catalog, "--set", "ports.quarantine=2s");
      cluster.startAgentUnder(
          ns.exec(List.of()), ns.hostAddress() + ":" + port, "node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () ->
                  cluster.ready().size() == 2
                      && cluster.ready().stream().allMatch(cluster::serves));
      List<Instance> originals = cluster.ready();
      assertThat(originals).allMatch(i -> i.getAddress().equals(ns.address()));
      long epochBefore = node(cluster).getSessionEpoch();
      cluster.startAgent("node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> idleContainers(cluster, "node-2") >= 2);

      Set<NodeState> seen = ConcurrentHashMap.newKeySet();
      long cutAt = System.currentTimeMillis();
      ns.cut();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(
              () -> {
                seen.add(node(cluster).getState());
                return seen.contains(NodeState.NODE_STATE_LOST);
              });
      assertThat(seen).contains(NodeState.NODE_STATE_SUSPECT);
      long lostAfter = System.currentTimeMillis() - cutAt;
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> servingOn(cluster, "node-2") == 2);
      long replacedAfter = System.currentTimeMillis() - cutAt;
      assertThat(replacedAfter)
          .as("replacements serve while the link is still cut")
          .isLessThan(PARTITION.toMillis());
      // The originals are fenced, not forgotten: their ports stay taken on node-1.
      assertThat(cluster.freePorts("node-1"))
          .as("free ports of node-1 while it is lost")
          .isEqualTo(NODE_1_PORTS - originals.size());

      // The rest of the partition passes; then the link comes back.
      await()
          .pollDelay(
              Duration.ofMillis(
                  Math.max(0, cutAt + PARTITION.toMillis() - System.currentTimeMillis())))
          .atMost(PARTITION.plusSeconds(5))
          .until(() -> true);
      long healedAt = System.currentTimeMillis();
      ns.restore();
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () ->
                  originals.stream().noneMatch(cluster::serves)
                      && servingOn(cluster, "node-2") == 2
                      && cluster.ready().size() == 2);
      long settledAfter = System.currentTimeMillis() - healedAt;

      // The node is back, with a higher epoch, and runs none of the originals.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> node(cluster).getState() == NodeState.NODE_STATE_READY);
      assertThat(node(cluster).getSessionEpoch()).isGreaterThan(epochBefore);
      Set<String> originalIds = new HashSet<>(originals.stream().map(Instance::getId).toList());
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  cluster
                      .control()
                      .listContainers(ListContainersRequest.newBuilder().setNode("node-1").build())
                      .getContainersList()
                      .stream()
                      .noneMatch(c -> originalIds.contains(c.getContainer().getInstanceId())));
      Set<String> endpoints = new HashSet<>();
      for (Instance i : cluster.ready()) {
        assertThat(endpoints.add(i.getAddress() + ":" + i.getPorts(0).getPort()))
            .as("endpoint of %s is unique", i.getId())
            .isTrue();
      }

      // Ports reconciled: once the originals stopped, their ports return to node-1's pool (after
      // the quarantine), and what the agents run agrees with what the controller holds.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> cluster.freePorts("node-1") == NODE_1_PORTS);
      Map<String, Set<Integer>> held = new HashMap<>();
      for (Instance i : cluster.instances()) {
        if (i.getState() != InstanceState.INSTANCE_STATE_STOPPED
            && i.getState() != InstanceState.INSTANCE_STATE_FAILED) {
          for (PortBinding b : i.getPortsList()) {
            assertThat(held.computeIfAbsent(i.getNodeName(), n -> new HashSet<>()).add(b.getPort()))
                .as("port %d of %s is held once on %s", b.getPort(), i.getId(), i.getNodeName())
                .isTrue();
          }
        }
      }
      Map<String, Set<Integer>> bound = new HashMap<>();
      for (ContainerInfo c :
          cluster
              .control()
              .listContainers(ListContainersRequest.getDefaultInstance())
              .getContainersList()) {
        for (PortBinding b : c.getContainer().getPortsList()) {
          assertThat(bound.computeIfAbsent(c.getNodeName(), n -> new HashSet<>()).add(b.getPort()))
              .as("port %d is bound once on %s", b.getPort(), c.getNodeName())
              .isTrue();
        }
      }
      assertThat(bound).as("ports the agents' containers hold, by node").isEqualTo(held);
      assertThat(bound).doesNotContainKey("node-1");
      System.out.printf(
          "partition: node lost %d ms after the cut, replacements serving after %d ms;"
              + " originals stopped %d ms after the link returned%n",
          lostAfter, replacedAfter, settledAfter);
    }
  }

  private static Node node(TestCluster cluster) {
    return cluster.control().getNode(GetNodeRequest.newBuilder().setNode("node-1").build());
  }

  private static long servingOn(TestCluster cluster, String node) {
    return cluster.ready().stream()
        .filter(i -> i.getNodeName().equals(node))
        .filter(cluster::serves)
        .count();
  }

  private static long idleContainers(TestCluster cluster, String node) {
    return cluster
        .control()
        .listContainers(ListContainersRequest.newBuilder().setNode(node).build())
        .getContainersList()
        .stream()
        .filter(c -> c.getContainer().getState() == ContainerState.CONTAINER_STATE_IDLE)
        .count();
  }
}
