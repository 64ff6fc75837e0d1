package io.drover.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;
import oshi.hardware.NetworkIF;

class ProcNetDevTest {

  @Test
  void parsesBytesAndPacketsOfEachInterface() {
    String text =
        "Inter-|   Receive                                                |  Transmit\n"
            + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets"
            + " errs drop fifo colls carrier compressed\n"
            + "    lo: 952268045 1135753    0    0    0     0          0         0 952268046"
            + " 1135754    0    0    0     0       0          0\n"
            + "  eth0: 249484878    6327    0    0    0     0          0         0   554763    4385"
            + "    0    0    0     0       0          0\n";

    Map<String, ProcNetDev.Counters> counters = ProcNetDev.parse(text);

    assertThat(counters)
        .containsOnlyKeys("lo", "eth0")
        .containsEntry("lo", new ProcNetDev.Counters(952268045L, 1135753L, 952268046L, 1135754L))
        .containsEntry("eth0", new ProcNetDev.Counters(249484878L, 6327L, 554763L, 4385L));
  }

  @Test
  void aMissingFileIsEmpty(@org.junit.jupiter.api.io.TempDir Path dir) {
    assertThat(ProcNetDev.read(dir.resolve("dev"))).isEmpty();
  }

  @Test
  void agreesWithOshiOnThisMachine() {
    assumeThat(Files.isReadable(ProcNetDev.FILE)).isTrue();
    Map<String, ProcNetDev.Counters> counters = ProcNetDev.read(ProcNetDev.FILE).orElseThrow();
    for (NetworkIF nic : new SystemInfo().getHardware().getNetworkIFs(true)) {
      // Read after OSHI: counters only grow.
      ProcNetDev.Counters after = ProcNetDev.read(ProcNetDev.FILE).orElseThrow().get(nic.getName());
      assertThat(counters).containsKey(nic.getName());
      assertThat(after.bytesReceived()).isGreaterThanOrEqualTo(nic.getBytesRecv());
      assertThat(after.packetsSent()).isGreaterThanOrEqualTo(nic.getPacketsSent());
    }
  }
}
