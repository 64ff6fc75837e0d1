package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.net.PortRange;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeInventory;
import io.drover.controller.nodes.NodeState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A node's inventory is converted once per hello, and nodes that left are forgotten. */
class NodeInventoriesTest {
  private final NodeConverters.Inventories inventories = new NodeConverters.Inventories();

  @Test
  void theSameInventoryIsConvertedOnceAndANewHelloConvertsAgain() {
    NodeInventory first = inventory("host-a", 4);
    var once = NodeConverters.node(node("n1", first), inventories).getInventory();
    var again = NodeConverters.node(node("n1", first), inventories).getInventory();
    assertThat(again).isSameAs(once);
    assertThat(once.getHostname()).isEqualTo("host-a");
    assertThat(once.getLogicalCores()).isEqualTo(4);

    // The agent said hello again with more cores: a new inventory object, converted afresh.
    var changed = NodeConverters.node(node("n1", inventory("host-a", 8)), inventories);
    assertThat(changed.getInventory().getLogicalCores()).isEqualTo(8);
    assertThat(NodeConverters.node(node("n1", first), inventories))
        .isEqualTo(NodeConverters.node(node("n1", first)));
  }

  @Test
  void nodesNoLongerListedAreForgotten() {
    Node a = node("a", inventory("a", 1));
    Node b = node("b", inventory("b", 1));
    var aBefore = NodeConverters.node(a, inventories).getInventory();
    var bBefore = NodeConverters.node(b, inventories).getInventory();
    inventories.keepOnly(List.of(a));
    // a is still kept; b was forgotten, so it is converted afresh.
    assertThat(NodeConverters.node(a, inventories).getInventory()).isSameAs(aBefore);
    var bAfter = NodeConverters.node(b, inventories).getInventory();
    assertThat(bAfter).isNotSameAs(bBefore).isEqualTo(bBefore);
  }

  private static NodeInventory inventory(String host, int cores) {
    return new NodeInventory(
        host,
        "Linux",
        "6.1",
        "amd64",
        "cpu",
        cores,
        cores,
        1L << 30,
        0,
        0,
        List.of(),
        List.of(),
        Optional.empty());
  }

  private static Node node(String id, NodeInventory inventory) {
    Instant at = Instant.ofEpochMilli(1_000);
    return new Node(
        id,
        id,
        NodeState.READY,
        "127.0.0.1",
        "test",
        1,
        1,
        at,
        at,
        new PortRange(30000, 30100),
        0,
        0,
        false,
        inventory,
        Optional.empty());
  }
}
