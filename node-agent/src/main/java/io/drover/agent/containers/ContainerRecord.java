package io.drover.agent.containers;

import com.google.protobuf.InvalidProtocolBufferException;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.JvmProfile;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** One container as the supervisor tracks it. Touched only on the supervisor's thread. */
final class ContainerRecord {
  final String id;
  final String secret;
  final JvmProfile profile;
  final Path dir;
  final Instant startedAt;

  /** The JVM, when this agent started it (and is its parent); null for an adopted container. */
  Process process;

  /** The JVM's process, started here or adopted. */
  ProcessHandle handle;

  /** The pid on record of a container whose process ended while no agent watched it. */
  long recordedPid;

  /** Why the agent stops it, for the report of its end; null when nobody asked. */
  String stopReason;

  /** An adopted container that attached again to this agent. */
  boolean reattached;

  /** The process's start time and arguments' hash: who it is, since pids are reused. */
  long processStartMs;

  String argumentsSha256 = "";

  /** Started by an agent before this one and adopted at start. */
  boolean adopted;

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

  /** Its instance has run here (been RUNNING and healthy): a crash is restarted in place. */
  boolean instanceRan;

  /** How often the agent restarted its instance after a crash, over all its containers. */
  int restarts;

  /** The last crash reason or error of its instance. */
  String lastError = "";

  /** For a dead container whose instance waits for its restart: when it is due; else 0. */
  long restartAtMs;

  /** An adopted spare is not trimmed before this, so that the controller can claim the pool. */
  Instant keepUntil;

  /** The record last written to disk, to skip writes that change nothing. */
  StoredContainer stored;

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
    return handle == null ? recordedPid : handle.pid();
  }

  String instanceId() {
    return assignment == null ? "" : assignment.getInstanceId();
  }

  /** The state as reported: a service that runs but has not passed its health check is LOADING. */
  ContainerState reportedState() {
    return awaitingHealth && state == ContainerState.CONTAINER_STATE_RUNNING
        ? ContainerState.CONTAINER_STATE_LOADING
        : state;
  }

  ContainerReport report() {
    ContainerReport.Builder r =
        ContainerReport.newBuilder()
            .setContainerId(id)
            .setState(reportedState())
            .setProfile(profile)
            .setPid(pid())
            .setStartedAtMs(startedAt.toEpochMilli())
            .setReason(reason)
            .setExitCode(exitCode)
            .setRestarts(restarts)
            .setRestartAtMs(restartAtMs)
            .setLastError(lastError);
    if (assignment != null) {
      r.setService(assignment.getService())
          .setInstanceId(assignment.getInstanceId())
          .addAllPorts(assignment.getPortsList());
    }
    return r.build();
  }

  // ---- on disk ----

  StoredContainer toStored() {
    Base64.Encoder base64 = Base64.getEncoder();
    List<StoredContainer.Port> ports =
        assignment == null
            ? List.of()
            : assignment.getPortsList().stream()
                .map(p -> new StoredContainer.Port(p.getName(), p.getPort()))
                .toList();
    return new StoredContainer(
        StoredContainer.VERSION,
        id,
        secret,
        pid(),
        processStartMs,
        argumentsSha256,
        startedAt.toEpochMilli(),
        ContainerSupervisor.shortName(reportedState()),
        profile.getName(),
        base64.encodeToString(profile.toByteArray()),
        assignment == null ? "" : assignment.getService(),
        instanceId(),
        ports,
        assignment == null ? "" : base64.encodeToString(assignment.toByteArray()),
        cold,
        onDemand,
        stopRequested,
        instanceRan,
        restarts,
        lastError,
        restartAtMs);
  }

  /**
   * The record as it was on disk; the process is not set.
   *
   * @throws IllegalArgumentException if its profile, assignment or state cannot be read
   */
  static ContainerRecord fromStored(StoredContainer stored, Path dir) {
    Base64.Decoder base64 = Base64.getDecoder();
    JvmProfile profile;
    ServiceAssignment assignment = null;
    try {
      profile = JvmProfile.parseFrom(base64.decode(stored.profile()));
      if (stored.assignment() != null && !stored.assignment().isEmpty()) {
        assignment = ServiceAssignment.parseFrom(base64.decode(stored.assignment()));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("its profile or assignment cannot be read", e);
    }
    ContainerState state;
    try {
      state = ContainerState.valueOf("CONTAINER_STATE_" + stored.state());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("state '" + stored.state() + "' is unknown", e);
    }
    ContainerRecord record =
        new ContainerRecord(
            stored.containerId(),
            stored.secret(),
            profile,
            dir,
            Instant.ofEpochMilli(stored.startedAtMs()));
    record.recordedPid = stored.pid();
    record.processStartMs = stored.processStartMs();
    record.argumentsSha256 = stored.argumentsSha256() == null ? "" : stored.argumentsSha256();
    record.state = state;
    record.assignment = assignment;
    record.cold = stored.cold();
    record.onDemand = stored.onDemand();
    record.stopRequested = stored.stopRequested();
    record.instanceRan = stored.instanceRan();
    record.restarts = stored.restarts();
    record.lastError = stored.lastError() == null ? "" : stored.lastError();
    record.restartAtMs = stored.restartAtMs();
    record.stored = stored;
    return record;
  }

  static List<Integer> ports(ServiceAssignment assignment) {
    return assignment.getPortsList().stream().map(PortBinding::getPort).toList();
  }
}
