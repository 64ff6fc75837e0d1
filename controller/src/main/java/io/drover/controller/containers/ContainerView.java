package io.drover.controller.containers;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A container as its agent last reported it.
 *
 * @param service empty while the container waits in the warm pool
 * @param ports port name to port, as assigned
 * @param reason why it ended, for EXITED and FAILED
 * @param restarts what the agent did about crashes of its instance
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
    int exitCode,
    Restarts restarts) {

  public ContainerView {
    ports = Map.copyOf(ports);
  }

  /**
   * The agent restarts a crashed instance in place, with its ports, after a growing backoff.
   *
   * @param count how often the instance was restarted
   * @param restartAt set while the instance waits for its next restart (crash loop)
   * @param lastError the last crash or error of the instance
   */
  public record Restarts(int count, Optional<Instant> restartAt, String lastError) {
    public static final Restarts NONE = new Restarts(0, Optional.empty(), "");
  }

  /** The instance crashed and its agent will start it again in place. */
  public boolean restartPending() {
    return restarts.restartAt().isPresent();
  }

  /** Waiting in the warm pool: attached, nothing assigned. */
  public boolean isIdle() {
    return status == ContainerStatus.IDLE && instanceId.isEmpty();
  }
}
