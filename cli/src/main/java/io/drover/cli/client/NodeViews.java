package io.drover.cli.client;

import io.drover.v1.Inventory;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.NodeTelemetry;
import java.time.Instant;
import java.util.List;

/** What `drover nodes` and `drover node` print as JSON: stable, camelCase fields. */
public final class NodeViews {
  private NodeViews() {}

  /** One row of `drover nodes --output json`. */
  public record NodeRow(
      String id,
      String name,
      String state,
      String address,
      int cores,
      long memoryBytes,
      double cpuLoad,
      long memoryUsedBytes,
      long agentPid,
      int containers,
      String agentVersion,
      long sessionEpoch,
      String lastSeen,
      String instancePorts,
      int httpPort) {}

  /** `drover node ID --output json`: the row plus the whole inventory and latest telemetry. */
  public record NodeDetail(
      NodeRow node,
      String hostname,
      String os,
      String kernel,
      String arch,
      String cpuModel,
      int physicalCores,
      long swapBytes,
      String bootTime,
      String localPortRange,
      List<DiskView> disks,
      List<InterfaceView> interfaces,
      TelemetryView telemetry) {}

  public record DiskView(String name, String model, long sizeBytes) {}

  public record InterfaceView(
      String name, String mac, List<String> ipv4, List<String> ipv6, long speedBps) {}

  public record TelemetryView(
      String sampledAt,
      double cpuLoad,
      List<Double> coreLoads,
      double loadAverage1m,
      double loadAverage5m,
      double loadAverage15m,
      long memoryTotalBytes,
      long memoryAvailableBytes,
      long swapTotalBytes,
      long swapUsedBytes,
      int processCount,
      long uptimeSeconds,
      List<FileStoreView> fileStores,
      List<InterfaceCountersView> interfaces) {}

  public record FileStoreView(String mount, String type, long totalBytes, long usableBytes) {}

  public record InterfaceCountersView(
      String name, long bytesReceived, long bytesSent, long packetsReceived, long packetsSent) {}

  public static String state(NodeState state) {
    return state.name().replace("NODE_STATE_", "");
  }

  public static long memoryUsed(Node node) {
    NodeTelemetry t = node.getTelemetry();
    return node.hasTelemetry()
        ? Math.max(0, t.getMemoryTotalBytes() - t.getMemoryAvailableBytes())
        : 0;
  }

  public static NodeRow row(Node n) {
    return new NodeRow(
        n.getId(),
        n.getName(),
        state(n.getState()),
        n.getAddress(),
        n.getInventory().getLogicalCores(),
        n.getInventory().getMemoryBytes(),
        n.getTelemetry().getCpuLoad(),
        memoryUsed(n),
        n.getAgentPid(),
        n.getContainers(),
        n.getAgentVersion(),
        n.getSessionEpoch(),
        Instant.ofEpochMilli(n.getLastSeenMs()).toString(),
        n.getInstancePorts().getLow() + "-" + n.getInstancePorts().getHigh(),
        n.getHttpPort());
  }

  public static NodeDetail detail(Node n) {
    Inventory i = n.getInventory();
    return new NodeDetail(
        row(n),
        i.getHostname(),
        i.getOs(),
        i.getKernel(),
        i.getArch(),
        i.getCpuModel(),
        i.getPhysicalCores(),
        i.getSwapBytes(),
        Instant.ofEpochMilli(i.getBootTimeMs()).toString(),
        i.hasLocalPortRange()
            ? i.getLocalPortRange().getLow() + "-" + i.getLocalPortRange().getHigh()
            : null,
        i.getDisksList().stream()
            .map(d -> new DiskView(d.getName(), d.getModel(), d.getSizeBytes()))
            .toList(),
        i.getInterfacesList().stream()
            .map(
                x ->
                    new InterfaceView(
                        x.getName(), x.getMac(), x.getIpv4List(), x.getIpv6List(), x.getSpeedBps()))
            .toList(),
        n.hasTelemetry() ? telemetry(n) : null);
  }

  private static TelemetryView telemetry(Node n) {
    NodeTelemetry t = n.getTelemetry();
    return new TelemetryView(
        Instant.ofEpochMilli(n.getTelemetryAtMs()).toString(),
        t.getCpuLoad(),
        t.getCoreLoadsList(),
        t.getLoadAverage1M(),
        t.getLoadAverage5M(),
        t.getLoadAverage15M(),
        t.getMemoryTotalBytes(),
        t.getMemoryAvailableBytes(),
        t.getSwapTotalBytes(),
        t.getSwapUsedBytes(),
        t.getProcessCount(),
        t.getUptimeSeconds(),
        t.getFileStoresList().stream()
            .map(
                f ->
                    new FileStoreView(
                        f.getMount(), f.getType(), f.getTotalBytes(), f.getUsableBytes()))
            .toList(),
        t.getInterfacesList().stream()
            .map(
                c ->
                    new InterfaceCountersView(
                        c.getName(),
                        c.getBytesReceived(),
                        c.getBytesSent(),
                        c.getPacketsReceived(),
                        c.getPacketsSent()))
            .toList());
  }
}
