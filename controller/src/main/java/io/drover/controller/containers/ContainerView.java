package io.drover.controller.containers;

import java.time.Instant;
import java.util.Map;

/**
 * A container as its agent last reported it.
 *
 * @param service empty while the container waits in the warm pool
 * @param ports port name to port, as assigned
 * @param reason why it ended, for EXITED and FAILED
 */
public record ContainerView(
    String id,
    String nodeId,
    ContainerStatus status,
    JvmProfile profile,
    long pid,
    Instant startedAt,
    String service,
    String instanceId,
    Map<String, Integer> ports,
    String reason,
    int exitCode) {

  public ContainerView {
    ports = Map.copyOf(ports);
  }

  /** Waiting in the warm pool: attached, nothing assigned. */
  public boolean isIdle() {
    return status == ContainerStatus.IDLE && instanceId.isEmpty();
  }
}
