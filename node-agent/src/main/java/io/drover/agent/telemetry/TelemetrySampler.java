package io.drover.agent.telemetry;

import io.drover.v1.FileStoreUsage;
import io.drover.v1.InterfaceCounters;
import io.drover.v1.NodeTelemetry;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;
import oshi.util.Memoizer;

/**
 * Samples the node's load with OSHI. CPU load is a difference of tick counters, so the sampler
 * keeps the previous ticks and must be used by one thread at a time. Probes that are costly and
 * change slowly (the list of interfaces, file system usage) are cached; on Linux the interface
 * counters come from one read of {@code /proc/net/dev} instead of OSHI's files per interface.
 */
public final class TelemetrySampler {
  private static final long INTERFACE_LIST_TTL = TimeUnit.MINUTES.toNanos(1);
  private static final long FILE_STORE_TTL = TimeUnit.SECONDS.toNanos(10);

  private final CentralProcessor cpu;
  private final GlobalMemory memory;
  private final OperatingSystem os;
  private final Supplier<List<NetworkIF>> interfaces;
  private final Supplier<List<FileStoreUsage>> fileStores;
  private final boolean procNetDev = Files.isReadable(ProcNetDev.FILE);
  private long[] previousTicks;
  private long[][] previousCoreTicks;

  public TelemetrySampler(SystemInfo system) {
    HardwareAbstractionLayer hardware = system.getHardware();
    this.cpu = hardware.getProcessor();
    this.memory = hardware.getMemory();
    this.os = system.getOperatingSystem();
    this.interfaces = Memoizer.memoize(() -> hardware.getNetworkIFs(true), INTERFACE_LIST_TTL);
    this.fileStores = Memoizer.memoize(this::readFileStores, FILE_STORE_TTL);
    this.previousTicks = cpu.getSystemCpuLoadTicks();
    this.previousCoreTicks = cpu.getProcessorCpuLoadTicks();
  }

  /** One sample; CPU figures cover the time since the previous call (or construction). */
  public synchronized NodeTelemetry sample() {
    NodeTelemetry.Builder t = NodeTelemetry.newBuilder();
    t.setCpuLoad(clamp(cpu.getSystemCpuLoadBetweenTicks(previousTicks)));
    previousTicks = cpu.getSystemCpuLoadTicks();
    for (double core : cpu.getProcessorCpuLoadBetweenTicks(previousCoreTicks)) {
      t.addCoreLoads(clamp(core));
    }
    previousCoreTicks = cpu.getProcessorCpuLoadTicks();
    double[] load = cpu.getSystemLoadAverage(3);
    t.setLoadAverage1M(load[0]).setLoadAverage5M(load[1]).setLoadAverage15M(load[2]);
    t.setMemoryTotalBytes(memory.getTotal())
        .setMemoryAvailableBytes(memory.getAvailable())
        .setSwapTotalBytes(memory.getVirtualMemory().getSwapTotal())
        .setSwapUsedBytes(memory.getVirtualMemory().getSwapUsed())
        .setProcessCount(os.getProcessCount())
        .setUptimeSeconds(os.getSystemUptime())
        .addAllFileStores(fileStores.get());
    Map<String, ProcNetDev.Counters> counters =
        procNetDev ? ProcNetDev.read(ProcNetDev.FILE).orElse(Map.of()) : Map.of();
    for (NetworkIF nic : interfaces.get()) {
      ProcNetDev.Counters c = counters.get(nic.getName());
      t.addInterfaces(c == null ? fromOshi(nic) : fromProc(nic.getName(), c));
    }
    return t.build();
  }

  private static InterfaceCounters.Builder fromProc(String name, ProcNetDev.Counters c) {
    return InterfaceCounters.newBuilder()
        .setName(name)
        .setBytesReceived(c.bytesReceived())
        .setBytesSent(c.bytesSent())
        .setPacketsReceived(c.packetsReceived())
        .setPacketsSent(c.packetsSent());
  }

  private static InterfaceCounters.Builder fromOshi(NetworkIF nic) {
    nic.updateAttributes();
    return InterfaceCounters.newBuilder()
        .setName(nic.getName())
        .setBytesReceived(nic.getBytesRecv())
        .setBytesSent(nic.getBytesSent())
        .setPacketsReceived(nic.getPacketsRecv())
        .setPacketsSent(nic.getPacketsSent());
  }

  private List<FileStoreUsage> readFileStores() {
    return os.getFileSystem().getFileStores(true).stream().map(TelemetrySampler::usage).toList();
  }

  private static FileStoreUsage usage(OSFileStore store) {
    return FileStoreUsage.newBuilder()
        .setMount(store.getMount())
        .setType(store.getType())
        .setTotalBytes(Math.max(0, store.getTotalSpace()))
        .setUsableBytes(Math.max(0, store.getUsableSpace()))
        .build();
  }

  /** OSHI reports a negative load when it has no baseline yet. */
  private static double clamp(double load) {
    return Double.isNaN(load) ? 0 : Math.max(0, Math.min(1, load));
  }
}
