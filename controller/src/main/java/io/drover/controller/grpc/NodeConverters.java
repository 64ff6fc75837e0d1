package io.drover.controller.grpc;

import io.drover.controller.events.Event;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeInventory;
import io.drover.controller.nodes.NodeLoad;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.nodes.TelemetrySample;
import io.drover.v1.Disk;
import io.drover.v1.FileStoreUsage;
import io.drover.v1.InterfaceCounters;
import io.drover.v1.Inventory;
import io.drover.v1.NetworkInterface;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.PortRange;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Domain snapshots to the proto messages of the Control API. */
final class NodeConverters {
  private NodeConverters() {}

  static io.drover.v1.Node node(Node n) {
    return node(n, inventory(n.inventory()));
  }

  /** As {@link #node(Node)}, with the node's inventory converted at most once per hello. */
  static io.drover.v1.Node node(Node n, Inventories inventories) {
    return node(n, inventories.of(n));
  }

  private static io.drover.v1.Node node(Node n, Inventory inventory) {
    io.drover.v1.Node.Builder b =
        io.drover.v1.Node.newBuilder()
            .setId(n.id())
            .setName(n.name())
            .setState(state(n.state()))
            .setAddress(n.address())
            .setAgentVersion(n.agentVersion())
            .setAgentPid(n.agentPid())
            .setSessionEpoch(n.sessionEpoch())
            .setLastSeenMs(n.lastSeen().toEpochMilli())
            .setConnectedAtMs(n.connectedAt().toEpochMilli())
            .setInstancePorts(range(n.instancePorts()))
            .setHttpPort(n.httpPort())
            .setContainers(n.containers())
            .setCordoned(n.cordoned())
            .setInventory(inventory);
    n.telemetry()
        .ifPresent(
            sample ->
                b.setTelemetry(telemetry(sample))
                    .setTelemetryAtMs(sample.sampledAt().toEpochMilli()));
    return b.build();
  }

  static io.drover.v1.NodeState state(NodeState s) {
    return switch (s) {
      case READY -> io.drover.v1.NodeState.NODE_STATE_READY;
      case DISCONNECTED -> io.drover.v1.NodeState.NODE_STATE_DISCONNECTED;
      case SUSPECT -> io.drover.v1.NodeState.NODE_STATE_SUSPECT;
      case LOST -> io.drover.v1.NodeState.NODE_STATE_LOST;
    };
  }

  private static PortRange range(io.drover.common.net.PortRange r) {
    return PortRange.newBuilder().setLow(r.low()).setHigh(r.high()).build();
  }

  /**
   * Each node's inventory as last converted, reused while the node's snapshot holds the same
   * inventory object: it changes only with a hello, and a listing of 10,000 nodes spent a share of
   * its time building and sizing the same inventories again. Thread-safe.
   */
  static final class Inventories {
    private record Converted(NodeInventory from, Inventory to) {}

    private final Map<String, Converted> byNode = new ConcurrentHashMap<>();

    Inventory of(Node n) {
      Converted converted = byNode.get(n.id());
      if (converted == null || converted.from() != n.inventory()) {
        converted = new Converted(n.inventory(), inventory(n.inventory()));
        byNode.put(n.id(), converted);
      }
      return converted.to();
    }

    /** Forgets the nodes not in {@code listed}, once there are more cached than listed. */
    void keepOnly(List<Node> listed) {
      if (byNode.size() > listed.size()) {
        Set<String> ids = new HashSet<>();
        listed.forEach(n -> ids.add(n.id()));
        byNode.keySet().retainAll(ids);
      }
    }
  }

  private static Inventory inventory(NodeInventory i) {
    Inventory.Builder b =
        Inventory.newBuilder()
            .setHostname(i.hostname())
            .setOs(i.os())
            .setKernel(i.kernel())
            .setArch(i.arch())
            .setCpuModel(i.cpuModel())
            .setPhysicalCores(i.physicalCores())
            .setLogicalCores(i.logicalCores())
            .setMemoryBytes(i.memoryBytes())
            .setSwapBytes(i.swapBytes())
            .setBootTimeMs(i.bootTimeMs());
    i.disks()
        .forEach(
            d ->
                b.addDisks(
                    Disk.newBuilder()
                        .setName(d.name())
                        .setModel(d.model())
                        .setSizeBytes(d.sizeBytes())));
    i.interfaces()
        .forEach(
            n ->
                b.addInterfaces(
                    NetworkInterface.newBuilder()
                        .setName(n.name())
                        .setMac(n.mac())
                        .addAllIpv4(n.ipv4())
                        .addAllIpv6(n.ipv6())
                        .setSpeedBps(n.speedBps())));
    i.localPortRange().ifPresent(r -> b.setLocalPortRange(range(r)));
    return b.build();
  }

  /** The sample as its agent sent it when it can be, else converted. */
  private static NodeTelemetry telemetry(TelemetrySample sample) {
    if (sample instanceof ReceivedTelemetry received) {
      Optional<NodeTelemetry> message = received.message();
      if (message.isPresent()) {
        return message.get();
      }
    }
    return telemetry(sample.load());
  }

  static NodeTelemetry telemetry(NodeLoad l) {
    NodeTelemetry.Builder b =
        NodeTelemetry.newBuilder()
            .setCpuLoad(l.cpuLoad())
            .addAllCoreLoads(l.coreLoads())
            .setLoadAverage1M(l.loadAverage1m())
            .setLoadAverage5M(l.loadAverage5m())
            .setLoadAverage15M(l.loadAverage15m())
            .setMemoryTotalBytes(l.memoryTotalBytes())
            .setMemoryAvailableBytes(l.memoryAvailableBytes())
            .setSwapTotalBytes(l.swapTotalBytes())
            .setSwapUsedBytes(l.swapUsedBytes())
            .setProcessCount(l.processCount())
            .setUptimeSeconds(l.uptimeSeconds());
    l.fileStores()
        .forEach(
            f ->
                b.addFileStores(
                    FileStoreUsage.newBuilder()
                        .setMount(f.mount())
                        .setType(f.type())
                        .setTotalBytes(f.totalBytes())
                        .setUsableBytes(f.usableBytes())));
    l.interfaces()
        .forEach(
            c ->
                b.addInterfaces(
                    InterfaceCounters.newBuilder()
                        .setName(c.name())
                        .setBytesReceived(c.bytesReceived())
                        .setBytesSent(c.bytesSent())
                        .setPacketsReceived(c.packetsReceived())
                        .setPacketsSent(c.packetsSent())));
    return b.build();
  }

  static io.drover.v1.Event event(Event e) {
    return io.drover.v1.Event.newBuilder()
        .setSequence(e.sequence())
        .setTimeMs(e.time().toEpochMilli())
        .setKind(e.kind().name())
        .setSubject(e.subject())
        .setMessage(e.message())
        .putAllAttributes(e.attributes())
        .build();
  }
}
