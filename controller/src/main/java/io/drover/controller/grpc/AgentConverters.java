package io.drover.controller.grpc;

import static io.drover.controller.grpc.ProtoLimits.LONG_TEXT;
import static io.drover.controller.grpc.ProtoLimits.SHORT_TEXT;
import static io.drover.controller.grpc.ProtoLimits.list;
import static io.drover.controller.grpc.ProtoLimits.name;
import static io.drover.controller.grpc.ProtoLimits.port;
import static io.drover.controller.grpc.ProtoLimits.text;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.net.PortRange;
import io.drover.controller.nodes.AgentHello;
import io.drover.controller.nodes.NodeInventory;
import io.drover.controller.nodes.NodeLoad;
import io.drover.v1.Disk;
import io.drover.v1.FileStoreUsage;
import io.drover.v1.Hello;
import io.drover.v1.InterfaceCounters;
import io.drover.v1.Inventory;
import io.drover.v1.NetworkInterface;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.Telemetry;
import java.time.Instant;
import java.util.Optional;

/** Agent messages to domain records, checking every field that becomes state. */
final class AgentConverters {
  private AgentConverters() {}

  static AgentHello hello(Hello h) {
    String nodeId = name("hello.node_id", h.getNodeId(), 64);
    String nodeName =
        h.getNodeName().isEmpty() ? nodeId : name("hello.node_name", h.getNodeName(), 63);
    if (!h.hasInventory()) {
      throw new InvalidArgumentException("hello.inventory", "is required");
    }
    if (!h.hasInstancePorts()) {
      throw new InvalidArgumentException("hello.instance_ports", "is required");
    }
    PortRange ports = range("hello.instance_ports", h.getInstancePorts());
    return new AgentHello(
        nodeId,
        nodeName,
        text("hello.agent_version", h.getAgentVersion(), 64),
        h.getAgentPid(),
        inventory(h.getInventory()),
        h.getLastEpoch(),
        ports,
        h.getAdvertiseAddress().isEmpty()
            ? Optional.empty()
            : Optional.of(text("hello.advertise_address", h.getAdvertiseAddress(), SHORT_TEXT)),
        port("hello.http_port", h.getHttpPort()),
        list("hello.containers", h.getContainersList(), 10_000).size());
  }

  private static NodeInventory inventory(Inventory i) {
    String f = "hello.inventory.";
    return new NodeInventory(
        text(f + "hostname", i.getHostname(), SHORT_TEXT),
        text(f + "os", i.getOs(), SHORT_TEXT),
        text(f + "kernel", i.getKernel(), SHORT_TEXT),
        text(f + "arch", i.getArch(), SHORT_TEXT),
        text(f + "cpu_model", i.getCpuModel(), SHORT_TEXT),
        i.getPhysicalCores(),
        i.getLogicalCores(),
        i.getMemoryBytes(),
        i.getSwapBytes(),
        i.getBootTimeMs(),
        list(f + "disks", i.getDisksList(), 256).stream().map(AgentConverters::disk).toList(),
        list(f + "interfaces", i.getInterfacesList(), 256).stream()
            .map(AgentConverters::nic)
            .toList(),
        i.hasLocalPortRange()
            ? Optional.of(range(f + "local_port_range", i.getLocalPortRange()))
            : Optional.empty());
  }

  private static NodeInventory.Disk disk(Disk d) {
    return new NodeInventory.Disk(
        text("disk.name", d.getName(), SHORT_TEXT),
        text("disk.model", d.getModel(), SHORT_TEXT),
        d.getSizeBytes());
  }

  private static NodeInventory.NetworkInterface nic(NetworkInterface n) {
    return new NodeInventory.NetworkInterface(
        text("interface.name", n.getName(), SHORT_TEXT),
        text("interface.mac", n.getMac(), SHORT_TEXT),
        list("interface.ipv4", n.getIpv4List(), 64),
        list("interface.ipv6", n.getIpv6List(), 64),
        n.getSpeedBps());
  }

  private static PortRange range(String field, io.drover.v1.PortRange r) {
    try {
      return new PortRange(r.getLow(), r.getHigh());
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(field, e.getMessage());
    }
  }

  /**
   * The sample as received, checked now (a bad one still closes the stream at once) and converted
   * to a {@link NodeLoad} only when read.
   */
  static ReceivedTelemetry sample(Telemetry t) {
    if (!t.hasNode()) {
      throw new InvalidArgumentException("telemetry.node", "is required");
    }
    NodeTelemetry n = t.getNode();
    list("telemetry.node.core_loads", n.getCoreLoadsList(), 4096);
    boolean known = n.getUnknownFields().asMap().isEmpty();
    for (FileStoreUsage f : list("telemetry.node.file_stores", n.getFileStoresList(), 1024)) {
      text("telemetry.node.file_stores.mount", f.getMount(), LONG_TEXT);
      text("telemetry.node.file_stores.type", f.getType(), SHORT_TEXT);
      known &= f.getUnknownFields().asMap().isEmpty();
    }
    for (InterfaceCounters c : list("telemetry.node.interfaces", n.getInterfacesList(), 1024)) {
      text("telemetry.node.interfaces.name", c.getName(), SHORT_TEXT);
      known &= c.getUnknownFields().asMap().isEmpty();
    }
    return new ReceivedTelemetry(t.getSampledAtMs(), t.getSequence(), n, known);
  }

  /** The sample as a domain record; {@link #sample} checked it when it arrived. */
  static NodeLoad load(long sampledAtMs, long sequence, NodeTelemetry n) {
    return new NodeLoad(
        Instant.ofEpochMilli(sampledAtMs),
        sequence,
        n.getCpuLoad(),
        list("telemetry.node.core_loads", n.getCoreLoadsList(), 4096),
        n.getLoadAverage1M(),
        n.getLoadAverage5M(),
        n.getLoadAverage15M(),
        n.getMemoryTotalBytes(),
        n.getMemoryAvailableBytes(),
        n.getSwapTotalBytes(),
        n.getSwapUsedBytes(),
        n.getProcessCount(),
        n.getUptimeSeconds(),
        list("telemetry.node.file_stores", n.getFileStoresList(), 1024).stream()
            .map(AgentConverters::fileStore)
            .toList(),
        list("telemetry.node.interfaces", n.getInterfacesList(), 1024).stream()
            .map(
                c ->
                    new NodeLoad.InterfaceCounters(
                        text("telemetry.node.interfaces.name", c.getName(), SHORT_TEXT),
                        c.getBytesReceived(),
                        c.getBytesSent(),
                        c.getPacketsReceived(),
                        c.getPacketsSent()))
            .toList());
  }

  private static NodeLoad.FileStore fileStore(FileStoreUsage f) {
    return new NodeLoad.FileStore(
        text("telemetry.node.file_stores.mount", f.getMount(), LONG_TEXT),
        text("telemetry.node.file_stores.type", f.getType(), SHORT_TEXT),
        f.getTotalBytes(),
        f.getUsableBytes());
  }
}
