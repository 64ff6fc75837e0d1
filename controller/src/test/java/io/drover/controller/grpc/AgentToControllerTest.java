package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.agent.NodeAgent;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.testing.FreePorts;
import io.drover.v1.ControlGrpc;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/** A real agent and a real controller over loopback: hello, telemetry, and reconnection. */
class AgentToControllerTest {
  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  @Test
  void helloAndTelemetryReachTheControllerWithTheHardwareOshiReports() {
    Controller controller = cluster.controller(dir.resolve("controller"));
    NodeAgent agent = cluster.agent(controller.grpcPort(), dir.resolve("agent"), "node-a");

    var control = cluster.control(controller.grpcPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .anyMatch(n -> n.getState() == NodeState.NODE_STATE_READY && n.hasTelemetry()));

    HardwareAbstractionLayer hardware = new SystemInfo().getHardware();
    List<Node> nodes = control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
    assertThat(nodes).hasSize(1);
    Node node = nodes.get(0);
    assertThat(node.getId()).isEqualTo(agent.nodeId());
    assertThat(node.getName()).isEqualTo("node-a");
    assertThat(node.getAddress()).isEqualTo("127.0.0.1");
    assertThat(node.getAgentPid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(node.getSessionEpoch()).isEqualTo(1);
    assertThat(node.getInventory().getLogicalCores())
        .isEqualTo(hardware.getProcessor().getLogicalProcessorCount());
    assertThat(node.getInventory().getPhysicalCores())
        .isEqualTo(hardware.getProcessor().getPhysicalProcessorCount());
    assertThat(node.getInventory().getMemoryBytes()).isEqualTo(hardware.getMemory().getTotal());
    assertThat(node.getInventory().getHostname()).isNotBlank();
    assertThat(node.getInventory().getInterfacesList()).isNotEmpty();
    assertThat(node.getTelemetry().getMemoryTotalBytes())
        .isEqualTo(hardware.getMemory().getTotal());
    assertThat(node.getTelemetry().getCoreLoadsCount())
        .isEqualTo(hardware.getProcessor().getLogicalProcessorCount());
    assertThat(node.getTelemetry().getCpuLoad()).isBetween(0.0, 1.0);
    assertThat(node.getTelemetry().getProcessCount()).isPositive();

    // Telemetry keeps coming: last-seen moves on.
    long seen = node.getLastSeenMs();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                control
                        .getNode(GetNodeRequest.newBuilder().setNode("node-a").build())
                        .getLastSeenMs()
                    > seen);
  }

  @Test
  void theAgentReconnectsWhenTheControllerComesBackOnTheSamePort() {
    int port = FreePorts.find();
    ControllerConfig config =
        ControllerConfig.defaults(Cluster.loopback(port), Cluster.loopback(0), dir.resolve("c"));
    Controller first = Controller.start(config);
    NodeAgent agent = cluster.agent(port, dir.resolve("agent"), "node-b");
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.linkStatus().connected());
    long firstEpoch = agent.linkStatus().sessionEpoch();

    first.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !agent.linkStatus().connected());

    Controller second = cluster.controller(config);
    var control = cluster.control(second.grpcPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .anyMatch(
                        n ->
                            n.getId().equals(agent.nodeId())
                                && n.getState() == NodeState.NODE_STATE_READY));
    assertThat(agent.linkStatus().connected()).isTrue();
    // The new controller knew no epochs; the agent's memory of the last one keeps them rising.
    assertThat(agent.linkStatus().sessionEpoch()).isGreaterThan(firstEpoch);
  }

  @Test
  void aStoppedAgentShowsAsDisconnectedAndComesBackReady() {
    Controller controller = cluster.controller(dir.resolve("controller"));
    var control = cluster.control(controller.grpcPort());
    NodeAgent agent = cluster.agent(controller.grpcPort(), dir.resolve("agent"), "node-c");
    String id = agent.nodeId();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> state(control, id) == NodeState.NODE_STATE_READY);

    agent.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> state(control, id) == NodeState.NODE_STATE_DISCONNECTED);

    // Same data dir, same node id: the node comes back, with a higher epoch.
    NodeAgent again = cluster.agent(controller.grpcPort(), dir.resolve("agent"), "node-c");
    assertThat(again.nodeId()).isEqualTo(id);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> state(control, id) == NodeState.NODE_STATE_READY);
    assertThat(control.getNode(GetNodeRequest.newBuilder().setNode(id).build()).getSessionEpoch())
        .isEqualTo(2);
    assertThat(controller.events().tail(10))
        .extracting(e -> e.kind().name())
        .containsSubsequence("NODE_JOINED", "NODE_DISCONNECTED", "NODE_RECONNECTED");
  }

  /** The node's state, or null while the controller has not heard of it. */
  private static NodeState state(ControlGrpc.ControlBlockingStub control, String id) {
    try {
      return control.getNode(GetNodeRequest.newBuilder().setNode(id).build()).getState();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }
}
