package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.v1.FileStoreUsage;
import io.drover.v1.InterfaceCounters;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.Telemetry;
import org.junit.jupiter.api.Test;

/** Telemetry kept as received. */
class TelemetryConvertersTest {
  private static NodeTelemetry node() {
    return NodeTelemetry.newBuilder()
        .setCpuLoad(0.25)
        .addCoreLoads(0.2)
        .addCoreLoads(0.3)
        .setLoadAverage1M(1.5)
        .setMemoryTotalBytes(8L << 30)
        .setMemoryAvailableBytes(3L << 30)
        .setProcessCount(120)
        .setUptimeSeconds(3600)
        .addFileStores(
            FileStoreUsage.newBuilder()
                .setMount("/")
                .setType("ext4")
                .setTotalBytes(100)
                .setUsableBytes(40))
        .addInterfaces(InterfaceCounters.newBuilder().setName("eth0").setBytesReceived(7))
        .build();
  }

  @Test
  void aSampleAsReceivedAnswersAsItsConversionWould() {
    Telemetry t =
        Telemetry.newBuilder().setSampledAtMs(1234).setSequence(9).setNode(node()).build();
    ReceivedTelemetry sample = AgentConverters.sample(t);

    assertThat(sample.sampledAt().toEpochMilli()).isEqualTo(1234);
    assertThat(sample.cpuLoad()).isEqualTo(0.25);
    assertThat(sample.memoryUsedBytes()).isEqualTo(5L << 30);
    assertThat(sample.load().sequence()).isEqualTo(9);
    assertThat(sample.load().coreLoads()).containsExactly(0.2, 0.3);
    assertThat(sample.message()).contains(t.getNode());
    assertThat(NodeConverters.telemetry(sample.load())).isEqualTo(t.getNode());
  }

  @Test
  void aSampleWithFieldsThisControllerDoesNotKnowIsAnsweredConverted() {
    NodeTelemetry withUnknown =
        node().toBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build();
    ReceivedTelemetry sample =
        AgentConverters.sample(Telemetry.newBuilder().setNode(withUnknown).build());
    assertThat(sample.message()).isEmpty();
  }

  @Test
  void aBadSampleIsRefusedWhenItArrivesNotWhenRead() {
    NodeTelemetry longName =
        node().toBuilder()
            .addInterfaces(InterfaceCounters.newBuilder().setName("x".repeat(300)))
            .build();
    assertThatThrownBy(
            () -> AgentConverters.sample(Telemetry.newBuilder().setNode(longName).build()))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("telemetry.node.interfaces.name");
    assertThatThrownBy(() -> AgentConverters.sample(Telemetry.getDefaultInstance()))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("telemetry.node");
  }
}
