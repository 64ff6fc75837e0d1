package io.drover.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.v1.ContainerInfo;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.Inventory;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.PortBinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `drover top` draws from one snapshot, without a terminal. */
class TopViewTest {
  private static final long GIB = 1L << 30;

  private static Node node(String id, String name, double cpu) {
    return Node.newBuilder()
        .setId(id)
        .setName(name)
        .setState(NodeState.NODE_STATE_READY)
        .setInventory(Inventory.newBuilder().setLogicalCores(4).setMemoryBytes(8 * GIB))
        .setTelemetry(
            NodeTelemetry.newBuilder()
                .setCpuLoad(cpu)
                .setMemoryTotalBytes(8 * GIB)
                .setMemoryAvailableBytes(6 * GIB))
        .build();
  }

  private static Instance instance(String id, String nodeId, String nodeName, int port) {
    return Instance.newBuilder()
        .setId(id)
        .setService(id.substring(0, id.lastIndexOf('-')))
        .setNode(nodeId)
        .setNodeName(nodeName)
        .setState(InstanceState.INSTANCE_STATE_READY)
        .setContainerId("c-" + id)
        .setRestarts(1)
        .addPorts(PortBinding.newBuilder().setName("http").setPort(port))
        .build();
  }

  private static ContainerInfo container(
      String instanceId, String nodeId, double cpu, Map<String, Double> metrics) {
    return ContainerInfo.newBuilder()
        .setNodeId(nodeId)
        .setContainer(
            ContainerReport.newBuilder()
                .setContainerId("c-" + instanceId)
                .setInstanceId(instanceId))
        .setMetrics(
            ContainerMetrics.newBuilder()
                .setCpuPercent(cpu)
                .setRssBytes(96L << 20)
                .putAllServiceMetrics(metrics))
        .build();
  }

  private static TopView.Snapshot snapshot(int instances) {
    List<Instance> all = new ArrayList<>();
    List<ContainerInfo> containers = new ArrayList<>();
    for (int i = 1; i <= instances; i++) {
      all.add(instance("hello-" + i, "n1", "web-1", 20000 + i));
      containers.add(
          container("hello-" + i, "n1", i == 2 ? 80.0 : 1.0, Map.of("requests.rate1m", 12.345)));
    }
    return new TopView.Snapshot(
        Instant.parse("2026-01-01T10:00:00Z"),
        List.of(node("n1", "web-1", 0.5), node("n2", "web-2", 0)),
        all,
        containers);
  }

  @Test
  void nodesThenInstancesBusiestFirst() {
    List<String> lines = TopView.render(snapshot(3), "127.0.0.1:7400", "q quits", 0, 0);
    assertThat(lines.get(0))
        .startsWith("drover top  127.0.0.1:7400  ")
        .contains("nodes: 2 (2 READY)", "instances: 3 (3 READY)", "q quits");
    assertThat(String.join("\n", lines))
        .contains("web-1  READY  [#####     ]  50%  [###       ]  2.0 GiB / 8.0 GiB")
        .doesNotContain("\u001b");
    int header =
        lines.indexOf(lines.stream().filter(l -> l.startsWith("INSTANCE")).findFirst().get());
    assertThat(lines.get(header))
        .matches("INSTANCE +SERVICE +STATE +NODE +PORTS +CPU +RSS +REQ/S +RESTARTS");
    assertThat(lines.subList(header + 1, lines.size()))
        .extracting(l -> l.split(" +")[0])
        .containsExactly("hello-2", "hello-1", "hello-3");
    assertThat(lines.get(header + 1))
        .matches("hello-2 +hello +READY +web-1 +http=20002 +80.0% +96.0 MiB +12.3 +1");
  }

  @Test
  void linesAreCutToTheTerminal() {
    List<String> lines = TopView.render(snapshot(30), "127.0.0.1:7400", "", 40, 12);
    assertThat(lines).hasSize(12);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
    assertThat(lines.get(11)).isEqualTo("… and 26 more instances");
  }

  @Test
  void theRequestRateIsRequestsRate1mOrTheOnlyRate() {
    assertThat(TopView.requestRate(Map.of("requests.rate1m", 3.0, "orders.rate1m", 9.0)))
        .hasValue(3.0);
    assertThat(TopView.requestRate(Map.of("orders.rate1m", 9.0, "orders.count", 100.0)))
        .hasValue(9.0);
    assertThat(TopView.requestRate(Map.of("a.rate1m", 1.0, "b.rate1m", 2.0))).isEmpty();
    assertThat(TopView.requestRate(Map.of())).isEmpty();
  }

  @Test
  void anInstanceWithoutAContainerShowsDashes() {
    TopView.Snapshot s =
        new TopView.Snapshot(
            Instant.now(),
            List.of(),
            List.of(
                Instance.newBuilder()
                    .setId("big-1")
                    .setService("big")
                    .setState(InstanceState.INSTANCE_STATE_PENDING)
                    .build()),
            List.of());
    List<String> lines = TopView.render(s, "c", "", 0, 0);
    assertThat(lines).contains("No nodes yet.");
    assertThat(lines.get(lines.size() - 1)).matches("big-1 +big +PENDING +- +- +- +- +0");
    TopView.TopJson json = TopView.json(s);
    assertThat(json.instances().get(0).requestRate()).isNull();
    assertThat(json.instances().get(0).state()).isEqualTo("PENDING");
  }

  @Test
  void barsFillByTenths() {
    assertThat(TopView.bar(0)).isEqualTo("[          ]");
    assertThat(TopView.bar(0.44)).isEqualTo("[####      ]");
    assertThat(TopView.bar(1.5)).isEqualTo("[##########]");
  }
}
