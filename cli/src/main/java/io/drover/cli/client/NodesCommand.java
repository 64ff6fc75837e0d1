package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.Table;
import io.drover.cli.output.Units;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.Node;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code drover nodes}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "nodes",
    description = "List the nodes, their state, hardware and load.")
public final class NodesCommand extends ClientCommand {

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    List<Node> nodes =
        client.unary().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
    switch (options.output()) {
      case json -> out.println(Json.pretty(nodes.stream().map(NodeViews::row).toList()));
      case table -> {
        if (nodes.isEmpty()) {
          out.println(
              "No nodes yet. Start an agent: drover agent --controller " + client.address());
          return 0;
        }
        Instant now = Instant.now();
        Table table =
            new Table(
                "ID",
                "NAME",
                "STATE",
                "ADDRESS",
                "CORES",
                "MEMORY",
                "CPU",
                "MEM USED",
                "CONTAINERS",
                "LAST SEEN");
        for (Node n : nodes) {
          table.row(
              Units.shortId(n.getId()),
              n.getName(),
              NodeViews.state(n.getState()),
              n.getAddress(),
              n.getInventory().getLogicalCores(),
              Units.bytes(n.getInventory().getMemoryBytes()),
              n.hasTelemetry() ? Units.percent(n.getTelemetry().getCpuLoad()) : "-",
              n.hasTelemetry() ? Units.bytes(NodeViews.memoryUsed(n)) : "-",
              n.getContainers(),
              Units.ago(Instant.ofEpochMilli(n.getLastSeenMs()), now));
        }
        table.print(out);
      }
    }
    return 0;
  }
}
