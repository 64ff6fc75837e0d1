package io.drover.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.v1.NodeTelemetry;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class TelemetrySamplerTest {

  @Test
  void samplesLoadMemoryDisksAndNetwork() {
    SystemInfo system = new SystemInfo();
    TelemetrySampler sampler = new TelemetrySampler(system);
    // Burn a little CPU so that the tick difference is not empty.
    long x = 0;
    for (int i = 0; i < 50_000_000; i++) {
      x += i % 7;
    }
    NodeTelemetry t = sampler.sample();
    assertThat(x).isPositive();
    assertThat(t.getCpuLoad()).isBetween(0.0, 1.0);
    assertThat(t.getCoreLoadsCount())
        .isEqualTo(system.getHardware().getProcessor().getLogicalProcessorCount());
    assertThat(t.getCoreLoadsList()).allSatisfy(l -> assertThat(l).isBetween(0.0, 1.0));
    assertThat(t.getMemoryTotalBytes()).isPositive();
    assertThat(t.getMemoryAvailableBytes()).isBetween(1L, t.getMemoryTotalBytes());
    assertThat(t.getProcessCount()).isPositive();
    assertThat(t.getUptimeSeconds()).isPositive();
    assertThat(t.getFileStoresList())
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getUsableBytes()).isLessThanOrEqualTo(f.getTotalBytes()));
    assertThat(t.getInterfacesList()).isNotEmpty();

    // Counters only grow between samples.
    NodeTelemetry later = sampler.sample();
    assertThat(later.getInterfaces(0).getName()).isEqualTo(t.getInterfaces(0).getName());
    assertThat(later.getInterfaces(0).getBytesReceived())
        .isGreaterThanOrEqualTo(t.getInterfaces(0).getBytesReceived());
  }
}
