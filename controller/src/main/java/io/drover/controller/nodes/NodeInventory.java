package io.drover.controller.nodes;

import io.drover.common.net.PortRange;
import java.util.List;
import java.util.Optional;

/** What a node is, as its agent measured it with OSHI. */
public record NodeInventory(
    String hostname,
    String os,
    String kernel,
    String arch,
    String cpuModel,
    int physicalCores,
    int logicalCores,
    long memoryBytes,
    long swapBytes,
    long bootTimeMs,
    List<Disk> disks,
    List<NetworkInterface> interfaces,
    Optional<PortRange> localPortRange) {

  public NodeInventory {
    disks = List.copyOf(disks);
    interfaces = List.copyOf(interfaces);
  }

  /** A physical disk. */
  public record Disk(String name, String model, long sizeBytes) {}

  /** A network interface and its addresses; speed 0 when unknown. */
  public record NetworkInterface(
      String name, String mac, List<String> ipv4, List<String> ipv6, long speedBps) {
    public NetworkInterface {
      ipv4 = List.copyOf(ipv4);
      ipv6 = List.copyOf(ipv6);
    }
  }
}
