package io.drover.agent.containers;

import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.JvmProfile;
import io.drover.v1.ServiceAssignment;
import java.nio.file.Path;
import java.time.Instant;

/** One container as the supervisor tracks it. Touched only on the supervisor's thread. */
final class ContainerRecord {
  final String id;
  final String secret;
  final JvmProfile profile;
  final Path dir;
  final Instant startedAt;
  Process process;
  ContainerState state = ContainerState.CONTAINER_STATE_STARTING;
  ContainerChannel channel;

  /** The service it runs or is about to run; null while it waits in the pool. */
  ServiceAssignment assignment;

  /** A cold container gets its assignment as soon as it attaches. */
  boolean cold;

  String commandId = "";
  String reason = "";
  int exitCode;
  boolean stopRequested;

  /** Started for the controller's pending instance, not for the pool: never trimmed as a spare. */
  boolean onDemand;

  /** The service says it runs, but its health check has not passed yet: reported as LOADING. */
  boolean awaitingHealth;

  /** Stopped by the agent because it failed: it ends FAILED, not EXITED. */
  boolean failing;

  int healthFailures;

  ContainerMetrics reported = ContainerMetrics.getDefaultInstance();

  ContainerRecord(String id, String secret, JvmProfile profile, Path dir, Instant startedAt) {
    this.id = id;
    this.secret = secret;
    this.profile = profile;
    this.dir = dir;
    this.startedAt = startedAt;
  }

  /** Waiting in the warm pool of its profile: not assigned, not stopping, alive. */
  boolean isSpare() {
    return assignment == null
        && !cold
        && !stopRequested
        && (state == ContainerState.CONTAINER_STATE_STARTING
            || state == ContainerState.CONTAINER_STATE_IDLE);
  }

  boolean isTerminal() {
    return state == ContainerState.CONTAINER_STATE_EXITED
        || state == ContainerState.CONTAINER_STATE_FAILED;
  }

  long pid() {
    return process == null ? 0 : process.pid();
  }

  ContainerReport report() {
    ContainerReport.Builder r =
        ContainerReport.newBuilder()
            .setContainerId(id)
            .setState(
                awaitingHealth && state == ContainerState.CONTAINER_STATE_RUNNING
                    ? ContainerState.CONTAINER_STATE_LOADING
                    : state)
            .setProfile(profile)
            .setPid(pid())
            .setStartedAtMs(startedAt.toEpochMilli())
            .setReason(reason)
            .setExitCode(exitCode);
    if (assignment != null) {
      r.setService(assignment.getService())
          .setInstanceId(assignment.getInstanceId())
          .addAllPorts(assignment.getPortsList());
    }
    return r.build();
  }
}
