package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.Table;
import io.drover.cli.output.Units;
import io.drover.v1.Instance;
import io.drover.v1.ListInstancesRequest;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover instances}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "instances",
    description = "List instances: where each runs, its ports and state.")
public final class InstancesCommand extends ClientCommand {
  @Option(names = "--service", paramLabel = "NAME", description = "Only this service.")
  String service = "";

  @Option(names = "--node", paramLabel = "NODE", description = "Only this node (id or name).")
  String node = "";

  /** A port of an instance. */
  public record PortView(String name, int port) {}

  /** One row of `drover instances --output json`. */
  public record InstanceRow(
      String id,
      String service,
      String node,
      String nodeName,
      String state,
      String address,
      List<PortView> ports,
      long pid,
      String containerId,
      int restarts,
      String reason,
      String createdAt,
      String readyAt,
      String lastError,
      String restartAt) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    List<Instance> instances =
        client
            .unary()
            .listInstances(
                ListInstancesRequest.newBuilder().setService(service).setNode(node).build())
            .getInstancesList();
    switch (options.output()) {
      case json -> out.println(Json.pretty(instances.stream().map(InstancesCommand::row).toList()));
      case table -> {
        if (instances.isEmpty()) {
          out.println("No instances.");
          return 0;
        }
        Instant now = Instant.now();
        Table table =
            new Table(
                "ID",
                "SERVICE",
                "STATE",
                "NODE",
                "ADDRESS",
                "PORTS",
                "PID",
                "RESTARTS",
                "AGE",
                "REASON",
                "LAST ERROR");
        for (Instance i : instances) {
          table.row(
              i.getId(),
              i.getService(),
              state(i),
              i.getNodeName(),
              i.getAddress(),
              i.getPortsList().stream()
                  .map(p -> p.getName() + "=" + p.getPort())
                  .collect(Collectors.joining(",")),
              i.getPid() == 0 ? "" : i.getPid(),
              i.getRestarts(),
              Units.ago(Instant.ofEpochMilli(i.getCreatedAtMs()), now).replace(" ago", ""),
              i.getReason(),
              i.getLastError());
        }
        table.print(out);
      }
    }
    return 0;
  }

  static String state(Instance i) {
    String state = i.getState().name().replace("INSTANCE_STATE_", "");
    if (i.getRestartAtMs() > 0) {
      long inMs = Math.max(0, i.getRestartAtMs() - System.currentTimeMillis());
      return state + " (in " + (inMs + 999) / 1000 + "s)";
    }
    return state;
  }

  static InstanceRow row(Instance i) {
    return new InstanceRow(
        i.getId(),
        i.getService(),
        i.getNode(),
        i.getNodeName(),
        i.getState().name().replace("INSTANCE_STATE_", ""),
        i.getAddress(),
        i.getPortsList().stream().map(p -> new PortView(p.getName(), p.getPort())).toList(),
        i.getPid(),
        i.getContainerId(),
        i.getRestarts(),
        i.getReason(),
        Instant.ofEpochMilli(i.getCreatedAtMs()).toString(),
        i.getReadyAtMs() == 0 ? null : Instant.ofEpochMilli(i.getReadyAtMs()).toString(),
        i.getLastError(),
        i.getRestartAtMs() == 0 ? null : Instant.ofEpochMilli(i.getRestartAtMs()).toString());
  }
}
