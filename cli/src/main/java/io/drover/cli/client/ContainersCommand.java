package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.Table;
import io.drover.cli.output.Units;
import io.drover.v1.ContainerInfo;
import io.drover.v1.ListContainersRequest;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover containers}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "containers",
    description = "List container JVMs: the warm pool and those running services.")
public final class ContainersCommand extends ClientCommand {
  @Option(names = "--node", paramLabel = "NODE", description = "Only this node (id or name).")
  String node = "";

  /** One row of `drover containers --output json`. */
  public record ContainerRow(
      String id,
      String node,
      String nodeName,
      String state,
      String profile,
      long pid,
      String service,
      String instance,
      double cpuPercent,
      long rssBytes,
      long heapUsedBytes,
      int threads,
      Map<String, Double> serviceMetrics) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    List<ContainerInfo> containers =
        client
            .unary()
            .listContainers(ListContainersRequest.newBuilder().setNode(node).build())
            .getContainersList();
    switch (options.output()) {
      case json ->
          out.println(Json.pretty(containers.stream().map(ContainersCommand::row).toList()));
      case table -> {
        if (containers.isEmpty()) {
          out.println("No containers.");
          return 0;
        }
        Table table =
            new Table("ID", "NODE", "STATE", "PROFILE", "PID", "INSTANCE", "CPU", "RSS", "HEAP");
        for (ContainerInfo c : containers) {
          ContainerRow r = row(c);
          table.row(
              r.id(),
              r.nodeName(),
              r.state(),
              r.profile(),
              r.pid(),
              r.instance(),
              String.format(Locale.ROOT, "%.0f%%", r.cpuPercent()),
              Units.bytes(r.rssBytes()),
              r.heapUsedBytes() == 0 ? "-" : Units.bytes(r.heapUsedBytes()));
        }
        table.print(out);
      }
    }
    return 0;
  }

  static ContainerRow row(ContainerInfo c) {
    var r = c.getContainer();
    var m = c.getMetrics();
    return new ContainerRow(
        r.getContainerId(),
        c.getNodeId(),
        c.getNodeName(),
        r.getState().name().replace("CONTAINER_STATE_", ""),
        r.getProfile().getName(),
        r.getPid(),
        r.getService(),
        r.getInstanceId(),
        m.getCpuPercent(),
        m.getRssBytes(),
        m.getHeapUsedBytes(),
        m.getThreads(),
        m.getServiceMetricsMap());
  }
}
