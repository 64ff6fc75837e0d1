package io.drover.controller.instances;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One instance at one moment.
 *
 * @param nodeId empty while PENDING
 * @param ports port name to port
 * @param reason why it is PENDING or FAILED
 */
public record InstanceView(
    String id,
    String service,
    InstanceState state,
    String nodeId,
    String containerId,
    Map<String, Integer> ports,
    long pid,
    int restarts,
    String reason,
    Instant createdAt,
    Optional<Instant> readyAt,
    String lastError,
    Optional<Instant> restartAt) {

  public InstanceView {
    ports = io.drover.controller.ports.PortMap.copyOf(ports);
  }
}
