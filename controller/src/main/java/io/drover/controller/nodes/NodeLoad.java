package io.drover.controller.nodes;

import java.time.Instant;
import java.util.List;

/**
 * One telemetry sample of a node.
 *
 * @param cpuLoad whole machine, 0..1, over the agent's last interval
 * @param coreLoads per logical core, 0..1
 */
public record NodeLoad(
    Instant sampledAt,
    long sequence,
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
    List<FileStore> fileStores,
    List<InterfaceCounters> interfaces) {

  public NodeLoad {
    coreLoads = List.copyOf(coreLoads);
    fileStores = List.copyOf(fileStores);
    interfaces = List.copyOf(interfaces);
  }

  public long memoryUsedBytes() {
    return Math.max(0, memoryTotalBytes - memoryAvailableBytes);
  }

  /** Use of one mounted file system. */
  public record FileStore(String mount, String type, long totalBytes, long usableBytes) {}

  /** Traffic counters of one interface since boot. */
  public record InterfaceCounters(
      String name, long bytesReceived, long bytesSent, long packetsReceived, long packetsSent) {}
}
