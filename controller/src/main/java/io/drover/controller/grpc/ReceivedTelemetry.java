package io.drover.controller.grpc;

import io.drover.controller.nodes.NodeLoad;
import io.drover.controller.nodes.TelemetrySample;
import io.drover.v1.NodeTelemetry;
import java.time.Instant;
import java.util.Optional;

/**
 * A node's telemetry as its agent sent it (already checked), kept as the proto message: converted
 * to a {@link NodeLoad} only when read, and handed to {@code ListNodes} and {@code GetNode} as it
 * is, without a round trip through the domain record.
 */
final class ReceivedTelemetry extends TelemetrySample {
  private final long sequence;
  private final NodeTelemetry node;
  private final boolean passThrough;

  /**
   * @param passThrough whether the message has no fields unknown to this controller, so that
   *     answering with it says exactly what a converted sample would
   */
  ReceivedTelemetry(long sampledAtMs, long sequence, NodeTelemetry node, boolean passThrough) {
    super(Instant.ofEpochMilli(sampledAtMs));
    this.sequence = sequence;
    this.node = node;
    this.passThrough = passThrough;
  }

  @Override
  protected NodeLoad convert() {
    return AgentConverters.load(sampledAt().toEpochMilli(), sequence, node);
  }

  @Override
  public double cpuLoad() {
    return node.getCpuLoad();
  }

  @Override
  public long memoryTotalBytes() {
    return node.getMemoryTotalBytes();
  }

  @Override
  public long memoryAvailableBytes() {
    return node.getMemoryAvailableBytes();
  }

  /** The message as received, when it can be answered as it is. */
  Optional<NodeTelemetry> message() {
    return passThrough ? Optional.of(node) : Optional.empty();
  }
}
