package io.drover.agent.inventory;

import io.drover.v1.Disk;
import io.drover.v1.Inventory;
import io.drover.v1.NetworkInterface;
import io.drover.v1.PortRange;
import java.util.Arrays;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OperatingSystem;

/** Describes the machine with OSHI, for the hello. */
public final class InventoryProbe {
  private final SystemInfo system;

  public InventoryProbe(SystemInfo system) {
    this.system = system;
  }

  public Inventory probe() {
    HardwareAbstractionLayer hardware = system.getHardware();
    OperatingSystem os = system.getOperatingSystem();
    CentralProcessor cpu = hardware.getProcessor();
    Inventory.Builder inventory =
        Inventory.newBuilder()
            .setHostname(nonNull(os.getNetworkParams().getHostName()))
            .setOs(nonNull(os.getFamily()) + " " + nonNull(os.getVersionInfo().getVersion()))
            .setKernel(nonNull(os.getVersionInfo().getBuildNumber()))
            .setArch(nonNull(System.getProperty("os.arch")))
            .setCpuModel(nonNull(cpu.getProcessorIdentifier().getName()).trim())
            .setPhysicalCores(cpu.getPhysicalProcessorCount())
            .setLogicalCores(cpu.getLogicalProcessorCount())
            .setMemoryBytes(hardware.getMemory().getTotal())
            .setSwapBytes(hardware.getMemory().getVirtualMemory().getSwapTotal())
            .setBootTimeMs(os.getSystemBootTime() * 1000);
    for (HWDiskStore disk : hardware.getDiskStores()) {
      inventory.addDisks(
          Disk.newBuilder()
              .setName(nonNull(disk.getName()))
              .setModel(nonNull(disk.getModel()))
              .setSizeBytes(Math.max(0, disk.getSize())));
    }
    for (NetworkIF nic : hardware.getNetworkIFs(true)) {
      inventory.addInterfaces(
          NetworkInterface.newBuilder()
              .setName(nonNull(nic.getName()))
              .setMac(nonNull(nic.getMacaddr()))
              .addAllIpv4(Arrays.asList(nic.getIPv4addr()))
              .addAllIpv6(Arrays.asList(nic.getIPv6addr()))
              .setSpeedBps(Math.max(0, nic.getSpeed())));
    }
    LocalPortRange.read()
        .ifPresent(
            r ->
                inventory.setLocalPortRange(
                    PortRange.newBuilder().setLow(r.low()).setHigh(r.high())));
    return inventory.build();
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
