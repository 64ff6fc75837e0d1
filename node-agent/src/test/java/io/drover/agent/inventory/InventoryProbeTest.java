package io.drover.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.net.PortRange;
import io.drover.v1.Inventory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

class InventoryProbeTest {
  @TempDir Path dir;

  @Test
  void describesThisMachine() {
    SystemInfo system = new SystemInfo();
    Inventory inventory = new InventoryProbe(system).probe();
    assertThat(inventory.getHostname()).isNotBlank();
    assertThat(inventory.getOs()).isNotBlank();
    assertThat(inventory.getCpuModel()).isNotBlank();
    assertThat(inventory.getLogicalCores())
        .isEqualTo(system.getHardware().getProcessor().getLogicalProcessorCount());
    assertThat(inventory.getPhysicalCores()).isBetween(1, inventory.getLogicalCores());
    assertThat(inventory.getMemoryBytes()).isEqualTo(system.getHardware().getMemory().getTotal());
    assertThat(inventory.getInterfacesList()).extracting(i -> i.getName()).isNotEmpty();
    assertThat(inventory.getBootTimeMs()).isPositive().isLessThan(System.currentTimeMillis());
    if (Files.isReadable(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      assertThat(inventory.hasLocalPortRange()).isTrue();
      assertThat(inventory.getLocalPortRange().getLow())
          .isLessThanOrEqualTo(inventory.getLocalPortRange().getHigh());
    }
  }

  @Test
  void readsTheKernelFormatOfTheLocalPortRange() throws Exception {
    Path file = dir.resolve("range");
    Files.writeString(file, "32768\t60999\n");
    assertThat(LocalPortRange.read(file)).contains(new PortRange(32768, 60999));
    Files.writeString(file, "junk");
    assertThat(LocalPortRange.read(file)).isEmpty();
    assertThat(LocalPortRange.read(dir.resolve("missing"))).isEmpty();
  }
}
