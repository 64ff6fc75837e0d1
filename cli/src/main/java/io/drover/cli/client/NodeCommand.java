package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.Table;
import io.drover.cli.output.Units;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Inventory;
import io.drover.v1.Node;
import io.drover.v1.NodeTelemetry;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover node ID}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "node",
    description = "Show one node: its inventory and its latest telemetry.")
public final class NodeCommand extends ClientCommand {
  // Optional for picocli only, so that `drover node remove NODE` reaches its subcommand.
  @Parameters(
      paramLabel = "NODE",
      arity = "0..1",
      description = "Node id, unique id prefix, or name.")
  String node;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    if (node == null) {
      throw new picocli.CommandLine.ParameterException(
          spec().commandLine(), "Missing required parameter: 'NODE'");
    }
    Node n = client.unary().getNode(GetNodeRequest.newBuilder().setNode(node).build());
    switch (options.output()) {
      case json -> out.println(Json.pretty(NodeViews.detail(n)));
      case table -> print(n, out);
    }
    return 0;
  }

  private static void print(Node n, PrintStream out) {
    Inventory i = n.getInventory();
    Instant now = Instant.now();
    field(out, "ID", n.getId());
    field(out, "Name", n.getName());
    field(out, "State", NodeViews.state(n.getState()));
    field(out, "Address", n.getAddress());
    field(out, "Last seen", Units.ago(Instant.ofEpochMilli(n.getLastSeenMs()), now));
    field(out, "Connected", Units.ago(Instant.ofEpochMilli(n.getConnectedAtMs()), now));
    field(out, "Session epoch", n.getSessionEpoch());
    field(
        out,
        "Agent",
        n.getAgentVersion() + ", pid " + n.getAgentPid() + ", HTTP port " + n.getHttpPort());
    field(
        out,
        "Instance ports",
        n.getInstancePorts().getLow() + "-" + n.getInstancePorts().getHigh());
    field(out, "Hostname", i.getHostname());
    field(out, "OS", i.getOs() + " (kernel " + i.getKernel() + ", " + i.getArch() + ")");
    field(
        out,
        "CPU",
        i.getCpuModel()
            + ", "
            + i.getPhysicalCores()
            + " physical / "
            + i.getLogicalCores()
            + " logical cores");
    field(
        out, "Memory", Units.bytes(i.getMemoryBytes()) + ", swap " + Units.bytes(i.getSwapBytes()));
    if (i.hasLocalPortRange()) {
      field(
          out,
          "Ephemeral ports",
          i.getLocalPortRange().getLow() + "-" + i.getLocalPortRange().getHigh());
    }
    field(out, "Containers", n.getContainers());
    if (n.hasTelemetry()) {
      NodeTelemetry t = n.getTelemetry();
      field(
          out,
          "CPU load",
          Units.percent(t.getCpuLoad())
              + " (cores: "
              + String.join(" ", t.getCoreLoadsList().stream().map(Units::percent).toList())
              + ")");
      field(
          out,
          "Load average",
          String.format(
              Locale.ROOT,
              "%.2f %.2f %.2f",
              t.getLoadAverage1M(),
              t.getLoadAverage5M(),
              t.getLoadAverage15M()));
      field(
          out,
          "Memory used",
          Units.bytes(NodeViews.memoryUsed(n))
              + " of "
              + Units.bytes(t.getMemoryTotalBytes())
              + ", swap "
              + Units.bytes(t.getSwapUsedBytes())
              + " used");
      field(out, "Processes", t.getProcessCount());
      field(
          out,
          "Uptime",
          t.getUptimeSeconds() / 3600 + "h " + (t.getUptimeSeconds() % 3600) / 60 + "m");
    }
    out.println();
    Table disks = new Table("DISK", "MODEL", "SIZE");
    i.getDisksList()
        .forEach(d -> disks.row(d.getName(), d.getModel(), Units.bytes(d.getSizeBytes())));
    disks.print(out);
    if (n.hasTelemetry()) {
      out.println();
      Table stores = new Table("MOUNT", "TYPE", "SIZE", "FREE");
      n.getTelemetry()
          .getFileStoresList()
          .forEach(
              f ->
                  stores.row(
                      f.getMount(),
                      f.getType(),
                      Units.bytes(f.getTotalBytes()),
                      Units.bytes(f.getUsableBytes())));
      stores.print(out);
    }
    out.println();
    Table nics = new Table("INTERFACE", "MAC", "ADDRESSES");
    i.getInterfacesList()
        .forEach(
            x -> {
              var addresses = new java.util.ArrayList<String>(x.getIpv4List());
              addresses.addAll(x.getIpv6List());
              nics.row(x.getName(), x.getMac(), String.join(" ", addresses));
            });
    nics.print(out);
  }

  private static void field(PrintStream out, String name, Object value) {
    out.printf("%-16s %s%n", name, value);
  }
}
