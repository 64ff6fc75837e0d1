package io.drover.agent.containers;

import io.drover.agent.artifacts.ArtifactCache;
import io.drover.common.concurrent.SerialLoop;
import io.drover.common.retry.Backoff;
import io.drover.v1.AttachRequest;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.ErrorReport;
import io.drover.v1.JvmProfile;
import io.drover.v1.OverloadReport;
import io.drover.v1.ServiceAssignment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the containers of this node: starts JVMs, keeps each profile's warm pool at its target,
 * hands services to IDLE containers, stops them, restarts crashed instances in place, and reports
 * every change. One thread owns all state; the public methods only queue work for it and never
 * block their caller.
 *
 * <p>Closing the supervisor stops nothing: containers outlive the agent. Each container has a
 * record on disk ({@link ContainerStore}); a restarted agent adopts the containers that still run
 * ({@link #recover()}) and reports those that ended while it was away.
 *
 * <p>An instance that has run here and whose container dies unexpectedly is restarted in place: a
 * fresh container of the same profile gets the same instance id, assignment and ports after a
 * {@link RestartBackoff}. Meanwhile the dead container is reported FAILED with {@code
 * restart_at_ms}; a stop or release of it cancels the restart.
 */
public final class ContainerSupervisor implements AutoCloseable {
  private static final String JVM_OUTPUT = ContainerLauncher.JVM_OUTPUT;

  private static final Logger log = LoggerFactory.getLogger(ContainerSupervisor.class);

  /** A container that has not attached by then is assumed broken and killed. */
  private static final Duration ATTACH_DEADLINE = Duration.ofSeconds(60);

  /** How long a spare container may take to exit after SIGTERM. */
  private static final Duration SPARE_GRACE = Duration.ofSeconds(2);

  /** Consecutive failed health checks after which the instance is reported unhealthy. */
  private static final int UNHEALTHY_AFTER = 3;

  /** An on-demand container nobody assigned a service to by then is stopped. */
  private static final Duration UNCLAIMED_ON_DEMAND = Duration.ofSeconds(60);

  /** After a release, how long past the grace period before signals take over. */
  private static final Duration RELEASE_SLACK = Duration.ofSeconds(5);

  /** Grace of an instance whose assignment names none. */
  private static final int DEFAULT_GRACE_MS = 10_000;

  /** An adopted spare waits this long for the controller's warm-pool targets before trimming. */
  private static final Duration ADOPTED_SPARE_GRACE = Duration.ofSeconds(30);

  /** How often adopted containers (whose parent this agent is not) are checked for their end. */
  private static final Duration ADOPTED_POLL = Duration.ofSeconds(1);

  /** How often the size of each container's jvm.out is checked for rotation. */
  static final Duration JVM_OUTPUT_CHECK = Duration.ofSeconds(1);

  private final ContainerLauncher launcher;
  private final ArtifactCache artifacts;
  private final ContainerListener listener;
  private final Path containersDir;
  private final ContainerStore store;
  private final Clock clock;
  private final int maxStarting;
  private final int metricsIntervalMs;
  private final SerialLoop executor;
  private final SecureRandom random = new SecureRandom();

  /**
   * Health checks block on sockets, and jvm.out rotation on the disk, so they run apart from the
   * supervisor's thread.
   */
  private final ScheduledExecutorService healthChecks =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "drover-health");
            t.setDaemon(true);
            return t;
          });

  private final Map<String, ContainerRecord> containers = new LinkedHashMap<>();
  private final Map<JvmProfile, Integer> poolTargets = new HashMap<>();
  private final Map<JvmProfile, Backoff> launchBackoff = new HashMap<>();
  private final Map<JvmProfile, Instant> nextLaunch = new HashMap<>();
  private final Map<String, InstanceRestarts> restarts = new HashMap<>();

  /** Dead containers whose instance was restarted in place, by id: the instance (the latest). */
  private final Map<String, String> superseded =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > 1024;
        }
      };

  private final List<ContainerReport> departed = new ArrayList<>();
  private volatile List<ContainerReport> snapshot = List.of();
  private volatile List<ContainerReport> pendingSnapshot = List.of();
  private boolean stoppingAll;
  private volatile Map<String, ContainerMetrics> reportedMetrics = Map.of();

  public ContainerSupervisor(
      ContainerLauncher launcher,
      ArtifactCache artifacts,
      ContainerListener listener,
      Path containersDir,
      ContainerStore store,
      Clock clock,
      int maxStarting,
      int metricsIntervalMs) {
    this.launcher = launcher;
    this.artifacts = artifacts;
    this.listener = listener;
    this.containersDir = containersDir;
    this.store = store;
    this.clock = clock;
    this.maxStarting = maxStarting;
    this.metricsIntervalMs = metricsIntervalMs;
    this.executor = new SerialLoop("drover-containers");
    executor.every(ADOPTED_POLL, this::pollAdopted);
    long check = JVM_OUTPUT_CHECK.toMillis();
    healthChecks.scheduleWithFixedDelay(
        this::rotateJvmOutputs, check, check, TimeUnit.MILLISECONDS);
  }

  /**
   * Rotates the jvm.out of each container that passed the log size. The container writes it through
   * its own file descriptor, so it is copied and truncated, never moved; see {@link
   * CopyTruncateRotation}.
   */
  private void rotateJvmOutputs() {
    for (ContainerReport container : snapshot) {
      Path output = containersDir.resolve(container.getContainerId()).resolve(JVM_OUTPUT);
      try {
        if (CopyTruncateRotation.rotateIfLarger(
            output, launcher.logMaxBytes(), ContainerLauncher.JVM_OUTPUT_FILES)) {
          log.debug("rotated {}", output);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("cannot rotate {}: {}", output, e.toString());
      }
    }
  }

  // ---- the containers an earlier agent left ----

  /** What {@link #recover()} found. */
  public record Recovery(int adopted, int ended, int restarting) {}

  /**
   * Reads the records of the containers an earlier agent started: adopts each that still runs (the
   * same pid, start time and arguments), restarts in place the instances whose container died
   * meanwhile, and keeps the end of the others to report after the next welcome ({@link
   * #takeDeparted()}). Call once, before containers can attach: an unknown container is refused.
   */
  public Recovery recover() {
    return call(this::recoverNow).join();
  }

  private Recovery recoverNow() {
    int adopted = 0;
    int ended = 0;
    int restarting = 0;
    for (StoredContainer stored : store.load()) {
      ContainerRecord record;
      try {
        record = ContainerRecord.fromStored(stored, containersDir.resolve(stored.containerId()));
      } catch (IllegalArgumentException e) {
        log.error(
            "skipping the record of container {}: {}; the container, if it runs, is not adopted",
            stored.containerId(),
            e.getMessage());
        continue;
      }
      Optional<ProcessHandle> same =
          record.restartAtMs > 0
              ? Optional.empty()
              : ProcessProbe.sameProcess(
                  stored.pid(), stored.processStartMs(), record.argumentsSha256);
      if (same.isPresent()) {
        adopt(record, same.get());
        adopted++;
      } else if (endedWhileAway(record, stored)) {
        restarting++;
      } else {
        ended++;
      }
    }
    publish();
    if (adopted + ended + restarting > 0) {
      log.info(
          "from the records of the previous agent: {} container(s) adopted, {} ended while no"
              + " agent watched, {} instance(s) to restart",
          adopted,
          ended,
          restarting);
    }
    return new Recovery(adopted, ended, restarting);
  }

  private void adopt(ContainerRecord record, ProcessHandle process) {
    record.handle = process;
    record.adopted = true;
    containers.put(record.id, record);
    log.info(
        "adopted container {} (pid {}, {}{}), started by an earlier agent",
        record.id,
        record.pid(),
        shortName(record.state),
        record.assignment == null ? "" : ", instance " + record.instanceId());
    if (record.assignment != null && record.instanceRan) {
      InstanceRestarts restart = restartsOf(record);
      if (record.state == ContainerState.CONTAINER_STATE_RUNNING) {
        restart.backoff.healthy();
      }
    }
    if (record.state == ContainerState.CONTAINER_STATE_RUNNING && record.assignment != null) {
      checkHealth(record, 0);
    }
    if (record.stopRequested) {
      // The earlier agent was stopping it; its timer for the signals went with it.
      terminate(record, Duration.ofMillis(graceMs(record)));
    }
    if (record.isSpare()) {
      // Not the pool's to trim until the controller has had a chance to say what it wants.
      record.keepUntil = clock.instant().plus(ADOPTED_SPARE_GRACE);
      schedule(ADOPTED_SPARE_GRACE.plusMillis(100), this::maintainPools);
      if (record.onDemand) {
        schedule(UNCLAIMED_ON_DEMAND, () -> retireIfUnclaimed(record));
      }
    }
    schedule(
        ATTACH_DEADLINE,
        () -> {
          if (containers.get(record.id) == record && record.channel == null) {
            if (record.state == ContainerState.CONTAINER_STATE_STARTING) {
              record.reason = "did not attach within " + ATTACH_DEADLINE.toSeconds() + " s";
              terminate(record, Duration.ZERO);
            } else {
              log.warn(
                  "adopted container {} (pid {}) has not attached again within {} s; it is"
                      + " watched by its pid and stopped with signals",
                  record.id,
                  record.pid(),
                  ATTACH_DEADLINE.toSeconds());
            }
          }
        });
  }

  /**
   * A recorded container whose process is gone. Its instance, if it had run and was not being
   * stopped, is restarted in place (true); otherwise its end is kept for the controller.
   */
  private boolean endedWhileAway(ContainerRecord record, StoredContainer stored) {
    OptionalInt code =
        ProcessHandle.of(stored.pid())
            .filter(
                p ->
                    ProcessProbe.startInstant(p)
                        .map(t -> Math.abs(t.toEpochMilli() - stored.processStartMs()) < 1000)
                        .orElse(false))
            .map(p -> ProcessProbe.zombieExitCode(p.pid()))
            .orElse(OptionalInt.empty());
    record.exitCode = code.orElse(-1);
    String reason =
        record.restartAtMs > 0 && !record.lastError.isEmpty()
            ? record.lastError
            : "ended while no agent watched it ("
                + (code.isPresent() ? "exit code " + code.getAsInt() : "exit code unknown")
                + ")";
    // A container that was stopping (asked to, or on a signal from elsewhere) ended as it should.
    boolean stopping =
        record.stopRequested || record.state == ContainerState.CONTAINER_STATE_STOPPING;
    if (!stopping
        && record.instanceRan
        && record.assignment != null
        && !record.assignment.getInstanceId().isEmpty()) {
      crashed(record, reason);
      return true;
    }
    record.state =
        stopping || record.assignment == null
            ? ContainerState.CONTAINER_STATE_EXITED
            : ContainerState.CONTAINER_STATE_FAILED;
    record.reason = stopping ? "stopped while no agent watched it" : reason;
    log.info("container {} {}: {}", record.id, shortName(record.state), record.reason);
    departed.add(record.report());
    deleteRecord(record.id);
    return false;
  }

  /**
   * The ends of containers found at {@link #recover()}, each once: for the controller, after the
   * first welcome.
   */
  public CompletableFuture<List<ContainerReport>> takeDeparted() {
    return call(
        () -> {
          List<ContainerReport> taken = List.copyOf(departed);
          departed.clear();
          return taken;
        });
  }

  // ---- commands from the controller ----

  /** Keeps {@code size} spare containers of {@code profile} on this node. */
  public CompletableFuture<CommandResult> setWarmPool(JvmProfile profile, int size) {
    return call(
        () -> {
          if (size == 0) {
            poolTargets.remove(profile);
          } else {
            poolTargets.put(profile, size);
          }
          maintainPools();
          return ok();
        });
  }

  /**
   * Starts containers now. With {@code cold}, a single container starts with the assignment's first
   * port in its environment and gets the assignment as soon as it attaches.
   */
  public CompletableFuture<CommandResult> startContainers(
      JvmProfile profile, int count, ServiceAssignment cold, String commandId) {
    if (cold != null) {
      return prepared(cold)
          .thenCompose(
              ready ->
                  call(
                      () -> {
                        cancelRestartOf(
                            ready.getInstanceId(), "placed again by the controller", commandId);
                        List<Integer> busy = PortProbe.busy(ports(ready));
                        if (!busy.isEmpty()) {
                          return busy(busy);
                        }
                        ContainerRecord record = launch(profile, ready, null);
                        if (record == null) {
                          return failed("could not start a JVM for " + ready.getInstanceId());
                        }
                        record.commandId = commandId;
                        return ok().toBuilder().addContainerIds(record.id).build();
                      }))
          .exceptionally(ContainerSupervisor::failure);
    }
    return call(
        () -> {
          CommandResult.Builder result = CommandResult.newBuilder().setOk(true);
          for (int i = 0; i < count; i++) {
            ContainerRecord record = launch(profile, null, null);
            if (record == null) {
              return failed("could not start a JVM of profile " + profile.getName());
            }
            record.onDemand = true;
            persist(record);
            result.addContainerIds(record.id);
            // Unclaimed on-demand containers do not linger: the controller may have placed
            // its instance elsewhere meanwhile.
            schedule(UNCLAIMED_ON_DEMAND, () -> retireIfUnclaimed(record));
          }
          return result.build();
        });
  }

  /**
   * Loads a service into an IDLE container: the jar is checked against its sha256 and the ports are
   * bind-tested first; busy ports come back in the result and nothing is assigned.
   */
  public CompletableFuture<CommandResult> assign(
      String containerId, ServiceAssignment assignment, String commandId) {
    return prepared(assignment)
        .thenCompose(
            ready ->
                call(
                    () -> {
                      ContainerRecord record = containers.get(containerId);
                      if (record == null) {
                        return failed("no container " + containerId + " on this node");
                      }
                      if (record.assignment != null) {
                        if (record.assignment.getInstanceId().equals(ready.getInstanceId())) {
                          return ok(); // a replay: already done
                        }
                        return failed(
                            "container "
                                + containerId
                                + " already runs "
                                + record.assignment.getInstanceId());
                      }
                      if (record.stopRequested) {
                        return failed("container " + containerId + " is stopping");
                      }
                      if (record.state != ContainerState.CONTAINER_STATE_IDLE
                          || record.channel == null) {
                        return failed(
                            "container "
                                + containerId
                                + " is "
                                + shortName(record.state)
                                + ", not IDLE");
                      }
                      cancelRestartOf(
                          ready.getInstanceId(), "placed again by the controller", commandId);
                      List<Integer> busy = PortProbe.busy(ports(ready));
                      if (!busy.isEmpty()) {
                        return busy(busy);
                      }
                      if (!record.channel.assign(ready)) {
                        return failed("the link to container " + containerId + " is gone");
                      }
                      record.assignment = ready;
                      record.commandId = commandId;
                      record.state = ContainerState.CONTAINER_STATE_LOADING;
                      changed(record);
                      maintainPools();
                      return ok();
                    }))
        .exceptionally(ContainerSupervisor::failure);
  }

  /**
   * Stops the container's service gracefully; the container then exits. For a dead container whose
   * instance waits for its restart, the restart is cancelled; for one whose instance was restarted
   * already, the container that runs it now is released.
   */
  public CompletableFuture<CommandResult> release(
      String containerId, int gracePeriodMs, String commandId) {
    return call(
        () -> {
          ContainerRecord record = liveOrSuccessor(containerId);
          if (record == null) {
            // Already gone (releasing it again changes nothing), or waiting for its restart.
            cancelPendingRestart(containerId, "released before its restart", commandId);
            return ok();
          }
          record.commandId = commandId;
          release(record, gracePeriodMs, null);
          return ok();
        });
  }

  private void release(ContainerRecord record, int gracePeriodMs, String why) {
    record.stopRequested = true;
    if (why != null) {
      record.stopReason = why;
    }
    if (record.channel != null && record.channel.release(gracePeriodMs)) {
      record.state = ContainerState.CONTAINER_STATE_STOPPING;
      changed(record);
      schedule(
          Duration.ofMillis(gracePeriodMs).plus(RELEASE_SLACK),
          () -> terminate(record, Duration.ofSeconds(5)));
    } else {
      persist(record);
      terminate(record, Duration.ofMillis(gracePeriodMs));
    }
  }

  /**
   * Stops the container with signals: SIGTERM, then SIGKILL after the grace period. A dead
   * container is treated as by {@link #release}.
   */
  public CompletableFuture<CommandResult> stop(
      String containerId, int gracePeriodMs, String commandId) {
    return call(
        () -> {
          ContainerRecord record = liveOrSuccessor(containerId);
          if (record == null) {
            cancelPendingRestart(containerId, "stopped before its restart", commandId);
            return ok();
          }
          record.stopRequested = true;
          record.commandId = commandId;
          persist(record);
          terminate(record, Duration.ofMillis(gracePeriodMs));
          return ok();
        });
  }

  /**
   * Stops the instances named (and cancels their pending restarts), each gracefully within its
   * grace period; for fencing, when the controller replaced them on another node.
   *
   * @return how many instances were stopped or kept from restarting
   */
  public CompletableFuture<Integer> stopInstances(Collection<String> instanceIds, String why) {
    Set<String> ids = Set.copyOf(instanceIds);
    return call(() -> stopInstancesNow(r -> ids.contains(r), why));
  }

  /**
   * Stops every instance of this node (and cancels every pending restart); spare containers stay.
   * For an agent that lost its controller for too long.
   *
   * @return how many instances were stopped or kept from restarting
   */
  public CompletableFuture<Integer> stopAllInstances(String why) {
    return call(() -> stopInstancesNow(r -> true, why));
  }

  private int stopInstancesNow(java.util.function.Predicate<String> which, String why) {
    int stopped = 0;
    for (ContainerRecord record : List.copyOf(containers.values())) {
      if (record.assignment == null
          || record.stopRequested
          || record.isTerminal()
          || !which.test(record.instanceId())) {
        continue;
      }
      log.warn(
          "stopping instance {} (container {}, pid {}): {}",
          record.instanceId(),
          record.id,
          record.pid(),
          why);
      record.commandId = "";
      release(record, graceMs(record), why);
      stopped++;
    }
    for (InstanceRestarts restart : List.copyOf(restarts.values())) {
      if (restart.pending != null && which.test(restart.instanceId)) {
        log.warn("instance {} will not be restarted: {}", restart.instanceId, why);
        cancel(restart, why, "");
        stopped++;
      }
    }
    return stopped;
  }

  // ---- what containers say over their link ----

  /**
   * A container attached; its id and secret decide whether it is accepted. It says its own state
   * and instance, which win over what the agent last knew: after a lost link or a restart of the
   * agent, the container's state is restored from them.
   */
  public void attached(AttachRequest request, ContainerChannel channel) {
    run(
        () -> {
          ContainerRecord record = containers.get(request.getContainerId());
          if (record == null || !sameSecret(record.secret, request.getSecret())) {
            log.warn(
                "refused a container link for '{}': unknown container or wrong secret",
                request.getContainerId());
            channel.reject("unknown container or wrong secret");
            return;
          }
          record.channel = channel;
          channel.accept(metricsIntervalMs);
          if (record.adopted && !record.reattached) {
            record.reattached = true;
            log.info(
                "adopted container {} (pid {}) attached again: {}{}",
                record.id,
                record.pid(),
                shortName(request.getState()),
                request.getInstanceId().isEmpty() ? "" : ", instance " + request.getInstanceId());
          }
          if (!request.getInstanceId().isEmpty()
              && !request.getInstanceId().equals(record.instanceId())) {
            log.warn(
                "container {} says it runs instance {}, but it was given {}",
                record.id,
                request.getInstanceId(),
                record.instanceId().isEmpty() ? "none" : record.instanceId());
          }
          if (record.state == ContainerState.CONTAINER_STATE_STARTING) {
            record.state = ContainerState.CONTAINER_STATE_IDLE;
            launchBackoff.remove(record.profile);
          }
          ContainerState said = request.getState();
          if (said != ContainerState.CONTAINER_STATE_IDLE
              && said != ContainerState.CONTAINER_STATE_UNSPECIFIED
              && said != ContainerState.CONTAINER_STATE_STARTING
              && said != record.state
              && !record.isTerminal()) {
            // It moved on while its link was down (or while no agent ran): take its word.
            applyState(record, said, "");
            maintainPools();
            return;
          }
          if (record.assignment != null
              && !record.stopRequested
              && (record.state == ContainerState.CONTAINER_STATE_IDLE
                  || record.state == ContainerState.CONTAINER_STATE_LOADING)
              && said == ContainerState.CONTAINER_STATE_IDLE) {
            // A cold container, or an assignment lost with a link: it gets it now (a container
            // ignores an assignment it already has).
            if (channel.assign(record.assignment)) {
              record.state = ContainerState.CONTAINER_STATE_LOADING;
            }
          }
          changed(record);
          maintainPools();
        });
  }

  public void stateChanged(
      String containerId, ContainerChannel channel, ContainerState state, String reason) {
    run(
        () -> {
          ContainerRecord record = containers.get(containerId);
          if (record == null || record.channel != channel || record.isTerminal()) {
            return;
          }
          applyState(record, state, reason);
        });
  }

  private void applyState(ContainerRecord record, ContainerState state, String reason) {
    record.state = state;
    if (!record.failing) {
      // The agent's own reason for stopping a failing container wins over "SIGTERM".
      record.reason = reason;
    }
    if (state == ContainerState.CONTAINER_STATE_RUNNING && record.assignment != null) {
      // RUNNING is reported once the catalog's health check passes, not before.
      record.awaitingHealth = true;
      long deadline =
          System.nanoTime()
              + TimeUnit.MILLISECONDS.toNanos(
                  Math.max(1000, record.assignment.getStartTimeoutMs()));
      checkHealth(record, deadline);
      return;
    }
    changed(record);
  }

  /** Runs the record's health check off the supervisor's thread, then judges it on it. */
  private void checkHealth(ContainerRecord record, long gateDeadline) {
    ServiceAssignment assignment = record.assignment;
    try {
      healthChecks.execute(
          () -> {
            String failure = HealthProbe.failure(assignment.getHealth(), assignment.getPortsList());
            run(() -> judgeHealth(record, assignment, failure, gateDeadline));
          });
    } catch (RejectedExecutionException closed) {
      log.debug("health checks closed");
    }
  }

  private void judgeHealth(
      ContainerRecord record, ServiceAssignment assignment, String failure, long gateDeadline) {
    if (containers.get(record.id) != record
        || record.assignment != assignment
        || record.isTerminal()
        || record.stopRequested) {
      return;
    }
    int intervalMs = Math.max(100, assignment.getHealth().getIntervalMs());
    if (record.awaitingHealth) {
      if (failure == null) {
        record.awaitingHealth = false;
        changed(record);
        schedule(Duration.ofMillis(intervalMs), () -> checkHealth(record, 0));
      } else if (System.nanoTime() > gateDeadline) {
        record.reason =
            "health check did not pass within "
                + assignment.getStartTimeoutMs()
                + " ms: "
                + failure;
        log.warn("container {} ({}): {}", record.id, assignment.getInstanceId(), record.reason);
        record.failing = true;
        terminate(record, Duration.ofMillis(assignment.getGracePeriodMs()));
      } else {
        schedule(
            Duration.ofMillis(Math.min(50, intervalMs)), () -> checkHealth(record, gateDeadline));
      }
      return;
    }
    InstanceRestarts restart = restarts.get(assignment.getInstanceId());
    if (failure == null) {
      if (record.healthFailures >= UNHEALTHY_AFTER) {
        log.info("container {} ({}) is healthy again", record.id, assignment.getInstanceId());
      }
      record.healthFailures = 0;
      if (restart != null) {
        restart.backoff.healthy();
      }
    } else if (++record.healthFailures == UNHEALTHY_AFTER) {
      log.warn(
          "container {} ({}): health check failing: {}",
          record.id,
          assignment.getInstanceId(),
          failure);
      if (restart != null) {
        restart.backoff.unhealthy();
      }
      listener.error(
          ErrorReport.newBuilder()
              .setContainerId(record.id)
              .setInstanceId(assignment.getInstanceId())
              .setError("health check failed " + UNHEALTHY_AFTER + " times: " + failure)
              .setReportedAtMs(clock.millis())
              .build());
    }
    schedule(Duration.ofMillis(intervalMs), () -> checkHealth(record, 0));
  }

  public void metrics(String containerId, ContainerChannel channel, ContainerMetrics metrics) {
    run(
        () -> {
          ContainerRecord record = containers.get(containerId);
          if (record != null && record.channel == channel) {
            record.reported = metrics.toBuilder().setContainerId(containerId).build();
            Map<String, ContainerMetrics> all = new HashMap<>(reportedMetrics);
            all.put(containerId, record.reported);
            reportedMetrics = Map.copyOf(all);
          }
        });
  }

  public void overload(String containerId, OverloadReport report) {
    run(() -> listener.overload(report.toBuilder().setContainerId(containerId).build()));
  }

  public void error(String containerId, ErrorReport report) {
    run(() -> listener.error(report.toBuilder().setContainerId(containerId).build()));
  }

  /** The container's link closed; the process may still run (the exit watcher decides). */
  public void detached(String containerId, ContainerChannel channel) {
    run(
        () -> {
          ContainerRecord record = containers.get(containerId);
          if (record != null && record.channel == channel) {
            record.channel = null;
            if (record.process == null) {
              // Not this agent's child: its end is seen by polling; look soon.
              schedule(Duration.ofMillis(200), this::pollAdopted);
            }
          }
        });
  }

  // ---- views for the rest of the agent ----

  /** Every live container, as of the last change; safe from any thread. */
  public List<ContainerReport> reports() {
    return snapshot;
  }

  /**
   * What the hello lists: every live container, and the dead container of each instance that waits
   * for its restart in place (FAILED with {@code restart_at_ms}); safe from any thread.
   */
  public List<ContainerReport> helloReports() {
    List<ContainerReport> pending = pendingSnapshot;
    if (pending.isEmpty()) {
      return snapshot;
    }
    List<ContainerReport> all = new ArrayList<>(snapshot);
    all.addAll(pending);
    return all;
  }

  /** What each container last reported of itself (heap, service metrics); safe from any thread. */
  public Map<String, ContainerMetrics> reportedMetrics() {
    return reportedMetrics;
  }

  // ---- internals, all on the supervisor's thread ----

  /**
   * Starts a JVM: a spare, or with {@code cold} a container for that assignment.
   *
   * @param restartOf the instance restarted in place, when this is its restart
   */
  private ContainerRecord launch(
      JvmProfile profile, ServiceAssignment cold, InstanceRestarts restartOf) {
    if (stoppingAll) {
      return null;
    }
    String id = "c" + HexFormat.of().formatHex(randomBytes(6));
    String secret = HexFormat.of().formatHex(randomBytes(24));
    ContainerRecord record =
        new ContainerRecord(id, secret, profile, containersDir.resolve(id), clock.instant());
    if (cold != null) {
      record.cold = true;
      record.assignment = cold;
    }
    OptionalInt coldPort =
        cold == null || cold.getPortsCount() == 0
            ? OptionalInt.empty()
            : OptionalInt.of(cold.getPorts(0).getPort());
    try {
      ContainerLauncher.Launched launched =
          launcher.launch(new ContainerLauncher.Launch(id, secret, profile, record.dir, coldPort));
      record.process = launched.process();
      record.handle = launched.process().toHandle();
      record.argumentsSha256 = launched.argumentsSha256();
      record.processStartMs =
          ProcessProbe.startInstant(record.handle).map(Instant::toEpochMilli).orElse(0L);
    } catch (IOException e) {
      log.warn("cannot start a container JVM of profile {}: {}", profile.getName(), e.getMessage());
      delayLaunches(profile);
      return null;
    }
    if (restartOf != null) {
      record.restarts = ++restartOf.restarts;
      record.lastError = restartOf.lastError;
      record.instanceRan = true;
    }
    containers.put(id, record);
    log.info(
        "started container {} (profile {}, pid {}){}",
        id,
        profile.getName(),
        record.pid(),
        cold == null
            ? ""
            : restartOf == null
                ? " cold for " + cold.getInstanceId()
                : " to restart " + cold.getInstanceId() + " (restart " + record.restarts + ")");
    Process process = record.process;
    process.onExit().thenRun(() -> run(() -> exited(record, OptionalInt.of(process.exitValue()))));
    schedule(
        ATTACH_DEADLINE,
        () -> {
          if (record.state == ContainerState.CONTAINER_STATE_STARTING && !record.isTerminal()) {
            log.warn(
                "container {} did not attach within {} s; stopping it",
                id,
                ATTACH_DEADLINE.toSeconds());
            record.reason = "did not attach within " + ATTACH_DEADLINE.toSeconds() + " s";
            terminate(record, Duration.ZERO);
          }
        });
    changed(record);
    return record;
  }

  /** Adopted containers are not this agent's children: their end is found by looking. */
  private void pollAdopted() {
    for (ContainerRecord record : List.copyOf(containers.values())) {
      if (record.process == null
          && record.handle != null
          && !ProcessProbe.isRunning(record.handle)) {
        exited(record, ProcessProbe.zombieExitCode(record.handle.pid()));
      }
    }
  }

  /**
   * The container's process ended.
   *
   * @param code its exit code; empty when unknown (an adopted container reaped by another)
   */
  private void exited(ContainerRecord record, OptionalInt code) {
    if (containers.get(record.id) != record) {
      return;
    }
    record.exitCode = code.orElse(-1);
    boolean expected =
        !record.failing
            && (record.stopRequested
                || ((code.isEmpty() || record.exitCode == 0)
                    && record.state == ContainerState.CONTAINER_STATE_STOPPING));
    if (!expected && !stoppingAll && record.state == ContainerState.CONTAINER_STATE_STARTING) {
      delayLaunches(record.profile);
    }
    if (expected) {
      record.reason = record.stopReason == null ? "stopped" : "stopped: " + record.stopReason;
    } else if (record.reason.isEmpty()) {
      record.reason =
          code.isPresent()
              ? "exited with code " + record.exitCode
              : "ended (exit code unknown: its parent was an earlier agent)";
      if (record.state == ContainerState.CONTAINER_STATE_STARTING) {
        // It died before it could say anything over its link: its JVM output says why.
        record.reason += " before attaching: " + lastLine(record.dir);
      }
    }
    forgetMetrics(record);
    if (!expected
        && !stoppingAll
        && record.instanceRan
        && record.assignment != null
        && !record.instanceId().isEmpty()) {
      crashed(record, record.reason);
      maintainPools();
      return;
    }
    record.state =
        expected ? ContainerState.CONTAINER_STATE_EXITED : ContainerState.CONTAINER_STATE_FAILED;
    log.info(
        "container {} {} (exit code {}): {}",
        record.id,
        shortName(record.state),
        code.isPresent() ? Integer.toString(record.exitCode) : "unknown",
        record.reason);
    containers.remove(record.id);
    deleteRecord(record.id);
    if (record.assignment != null) {
      // The instance's life here is over: its restarts with it.
      restarts.remove(record.instanceId());
    }
    publish();
    listener.changed(record.report(), record.commandId);
    maintainPools();
  }

  // ---- restarts in place ----

  private InstanceRestarts restartsOf(ContainerRecord record) {
    return restarts.computeIfAbsent(
        record.instanceId(),
        id -> new InstanceRestarts(id, new RestartBackoff(clock), record.restarts));
  }

  /**
   * The instance of a dead container crashed: the container is reported FAILED with the time of the
   * restart, and the restart is scheduled after the instance's backoff.
   */
  private void crashed(ContainerRecord dead, String reason) {
    InstanceRestarts restart = restartsOf(dead);
    restart.lastError = reason;
    restart.pending = dead;
    containers.remove(dead.id);
    dead.channel = null;
    dead.state = ContainerState.CONTAINER_STATE_FAILED;
    dead.reason = reason;
    Duration delay = restart.backoff.crashed();
    log.warn(
        "instance {} crashed in container {} ({}); restarting it in place in {} ms with ports {}"
            + " (it was restarted {} time(s) before)",
        restart.instanceId,
        dead.id,
        reason,
        delay.toMillis(),
        ports(dead.assignment),
        restart.restarts);
    scheduleRestart(restart, delay);
  }

  /** Reports the dead container FAILED with the restart's time, and schedules the restart. */
  private void scheduleRestart(InstanceRestarts restart, Duration delay) {
    ContainerRecord dead = restart.pending;
    long generation = ++restart.generation;
    dead.restarts = restart.restarts;
    dead.lastError = restart.lastError;
    dead.restartAtMs = clock.millis() + delay.toMillis();
    persist(dead);
    publish();
    listener.changed(dead.report(), "");
    schedule(delay, () -> restartNow(restart, generation));
  }

  private void restartNow(InstanceRestarts restart, long generation) {
    if (!current(restart, generation)) {
      return;
    }
    ContainerRecord dead = restart.pending;
    // The ports stay this instance's: nobody else may listen on them. Connections of the dead
    // process in TIME_WAIT do not count (the service binds again with SO_REUSEADDR).
    List<Integer> held = PortProbe.busy(ports(dead.assignment));
    if (!held.isEmpty()) {
      retryLater(restart, "its ports " + held + " are taken on this node (bind test)");
      return;
    }
    prepared(dead.assignment)
        .whenComplete(
            (ready, error) ->
                run(
                    () -> {
                      if (!current(restart, generation)) {
                        return;
                      }
                      if (error != null) {
                        retryLater(restart, "its artifact: " + failure(error).getError());
                        return;
                      }
                      ContainerRecord fresh = launch(dead.profile, ready, restart);
                      if (fresh == null) {
                        retryLater(
                            restart, "could not start a JVM of profile " + dead.profile.getName());
                        return;
                      }
                      restart.pending = null;
                      superseded.put(dead.id, restart.instanceId);
                      deleteRecord(dead.id);
                      publish();
                    }));
  }

  private boolean current(InstanceRestarts restart, long generation) {
    return !stoppingAll
        && restart.pending != null
        && restart.generation == generation
        && restarts.get(restart.instanceId) == restart;
  }

  private void retryLater(InstanceRestarts restart, String why) {
    restart.lastError = why;
    Duration delay = restart.backoff.crashed();
    log.warn(
        "instance {} cannot be restarted yet: {}; next try in {} ms",
        restart.instanceId,
        why,
        delay.toMillis());
    scheduleRestart(restart, delay);
  }

  /**
   * The live container {@code containerId}; or, for a dead one whose instance was restarted in
   * place since, the container that runs the instance now: a controller that asks to stop the
   * container it knew of means its instance, even if the restart won the race.
   */
  private ContainerRecord liveOrSuccessor(String containerId) {
    ContainerRecord live = containers.get(containerId);
    String instanceId = live == null ? superseded.get(containerId) : null;
    if (instanceId == null) {
      return live;
    }
    for (ContainerRecord record : containers.values()) {
      if (instanceId.equals(record.instanceId()) && !record.stopRequested) {
        log.info(
            "container {} was replaced by {} when instance {} restarted; that one is stopped",
            containerId,
            record.id,
            instanceId);
        return record;
      }
    }
    return null;
  }

  /** Cancels the pending restart whose dead container is {@code containerId}, if any. */
  private void cancelPendingRestart(String containerId, String why, String commandId) {
    for (InstanceRestarts restart : List.copyOf(restarts.values())) {
      if (restart.pending != null && restart.pending.id.equals(containerId)) {
        log.info("instance {} will not be restarted: {}", restart.instanceId, why);
        cancel(restart, why, commandId);
      }
    }
  }

  private void cancelRestartOf(String instanceId, String why, String commandId) {
    InstanceRestarts restart = restarts.get(instanceId);
    if (restart != null && restart.pending != null) {
      log.info("instance {} will not be restarted: {}", instanceId, why);
      cancel(restart, why, commandId);
    }
  }

  /** Ends a pending restart: the dead container is reported EXITED, as stopped. */
  private void cancel(InstanceRestarts restart, String why, String commandId) {
    restarts.remove(restart.instanceId);
    restart.generation++;
    ContainerRecord dead = restart.pending;
    restart.pending = null;
    if (dead == null) {
      return;
    }
    dead.state = ContainerState.CONTAINER_STATE_EXITED;
    dead.restartAtMs = 0;
    dead.reason = why;
    deleteRecord(dead.id);
    publish();
    listener.changed(dead.report(), commandId);
  }

  /** Starts or stops spare containers until every profile's pool is at its target. */
  private void maintainPools() {
    long starting =
        containers.values().stream()
            .filter(r -> r.state == ContainerState.CONTAINER_STATE_STARTING)
            .count();
    Instant now = clock.instant();
    for (Map.Entry<JvmProfile, Integer> target : poolTargets.entrySet()) {
      JvmProfile profile = target.getKey();
      List<ContainerRecord> spares =
          containers.values().stream()
              .filter(r -> r.profile.equals(profile) && r.isSpare())
              .toList();
      int missing = target.getValue() - spares.size();
      Instant allowed = nextLaunch.get(profile);
      while (missing > 0 && starting < maxStarting && (allowed == null || !now.isBefore(allowed))) {
        if (launch(profile, null, null) == null) {
          break;
        }
        missing--;
        starting++;
      }
      if (missing > 0 && allowed != null && now.isBefore(allowed)) {
        schedule(Duration.between(now, allowed), this::maintainPools);
      }
    }
    // Pool spares beyond their target (or of a profile no longer wanted) go, the newest first.
    // Containers started on demand are the controller's, not the pool's: they are not counted.
    Map<JvmProfile, Integer> kept = new HashMap<>();
    List<ContainerRecord> spares =
        containers.values().stream().filter(r -> r.isSpare() && !r.onDemand).toList();
    for (ContainerRecord spare : spares) {
      if (spare.keepUntil != null
          && now.isBefore(spare.keepUntil)
          && !poolTargets.containsKey(spare.profile)) {
        // Adopted a moment ago: the controller has not said yet whether it wants it.
        continue;
      }
      int keep = poolTargets.getOrDefault(spare.profile, 0);
      if (kept.merge(spare.profile, 1, Integer::sum) > keep) {
        retire(spare, "the warm pool of profile " + spare.profile.getName() + " is full");
      }
    }
  }

  /**
   * Stops a spare container. Its state turns STOPPING at once and is reported, so that the
   * controller no longer counts it as IDLE and no assignment reaches it.
   */
  private void retire(ContainerRecord spare, String why) {
    spare.stopRequested = true;
    spare.reason = why;
    if (spare.state == ContainerState.CONTAINER_STATE_IDLE) {
      spare.state = ContainerState.CONTAINER_STATE_STOPPING;
      changed(spare);
    } else {
      persist(spare);
    }
    if (spare.channel == null || !spare.channel.release(0)) {
      // Nothing runs in a spare: a short grace lets its JVM exit cleanly all the same.
      terminate(spare, SPARE_GRACE);
    }
  }

  private void retireIfUnclaimed(ContainerRecord record) {
    if (containers.get(record.id) == record && record.isSpare()) {
      retire(
          record,
          "started on demand and not claimed within " + UNCLAIMED_ON_DEMAND.toSeconds() + " s");
    }
  }

  private void delayLaunches(JvmProfile profile) {
    Duration delay =
        launchBackoff
            .computeIfAbsent(
                profile, p -> Backoff.withJitter(Duration.ofSeconds(1), Duration.ofSeconds(60)))
            .nextDelay();
    nextLaunch.put(profile, clock.instant().plus(delay));
    log.warn(
        "containers of profile {} fail to start; next try in {} ms",
        profile.getName(),
        delay.toMillis());
  }

  /** SIGTERM now, SIGKILL after {@code grace} if it is still alive. */
  private void terminate(ContainerRecord record, Duration grace) {
    ProcessHandle handle = record.handle;
    if (handle == null || !ProcessProbe.isRunning(handle)) {
      return;
    }
    if (!record.stopRequested) {
      record.stopRequested = true;
      persist(record);
    }
    handle.destroy();
    schedule(
        grace,
        () -> {
          if (ProcessProbe.isRunning(handle)) {
            log.warn(
                "container {} still running {} ms after SIGTERM; killing it",
                record.id,
                grace.toMillis());
            handle.destroyForcibly();
          }
        });
  }

  private CompletableFuture<ServiceAssignment> prepared(ServiceAssignment assignment) {
    return artifacts
        .resolve(assignment.getArtifact(), assignment.getSha256())
        .thenApply(
            path -> assignment.toBuilder().setLocalPath(path.toAbsolutePath().toString()).build());
  }

  /** A live container changed: kept on disk, in the views, and reported. */
  private void changed(ContainerRecord record) {
    if (record.state == ContainerState.CONTAINER_STATE_RUNNING
        && !record.awaitingHealth
        && record.assignment != null) {
      // Its instance runs (and passes its health check): from now on a crash restarts it here.
      record.instanceRan = true;
      restartsOf(record).backoff.healthy();
    }
    persist(record);
    publish();
    listener.changed(record.report(), record.commandId);
  }

  /** Writes the record to disk when what is kept of it changed. */
  private void persist(ContainerRecord record) {
    StoredContainer stored = record.toStored();
    if (stored.equals(record.stored)) {
      return;
    }
    try {
      store.save(stored);
      record.stored = stored;
    } catch (UncheckedIOException e) {
      log.warn(
          "cannot keep the record of container {}: {}; a restarted agent would not adopt it",
          record.id,
          e.getMessage());
    }
  }

  private void deleteRecord(String containerId) {
    try {
      store.delete(containerId);
    } catch (UncheckedIOException e) {
      log.warn("cannot delete the record of container {}: {}", containerId, e.getMessage());
    }
  }

  /** Refreshes the views other threads read. */
  private void publish() {
    snapshot = containers.values().stream().map(ContainerRecord::report).toList();
    pendingSnapshot =
        restarts.values().stream()
            .filter(r -> r.pending != null)
            .map(r -> r.pending.report())
            .toList();
  }

  private void forgetMetrics(ContainerRecord record) {
    if (reportedMetrics.containsKey(record.id)) {
      Map<String, ContainerMetrics> all = new HashMap<>(reportedMetrics);
      all.remove(record.id);
      reportedMetrics = Map.copyOf(all);
    }
  }

  private static int graceMs(ContainerRecord record) {
    return record.assignment != null && record.assignment.getGracePeriodMs() > 0
        ? record.assignment.getGracePeriodMs()
        : DEFAULT_GRACE_MS;
  }

  /** The last line a container's JVM wrote, in jvm.out or, just after a rotation, jvm.out.1. */
  private static String lastLine(Path dir) {
    for (int generation = 0; generation < 2; generation++) {
      Path file = CopyTruncateRotation.rotated(dir.resolve(JVM_OUTPUT), generation);
      try (var lines = java.nio.file.Files.lines(file)) {
        Optional<String> last = lines.filter(l -> !l.isBlank()).reduce((a, b) -> b);
        if (last.isPresent()) {
          return last.get().strip();
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // none: try the one before
      }
    }
    return "(no output)";
  }

  private static List<Integer> ports(ServiceAssignment assignment) {
    return ContainerRecord.ports(assignment);
  }

  private static boolean sameSecret(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static String shortName(ContainerState state) {
    return state.name().replace("CONTAINER_STATE_", "");
  }

  private static CommandResult ok() {
    return CommandResult.newBuilder().setOk(true).build();
  }

  private static CommandResult failed(String error) {
    return CommandResult.newBuilder().setOk(false).setError(error).build();
  }

  private static CommandResult busy(List<Integer> ports) {
    return CommandResult.newBuilder()
        .setOk(false)
        .setError("ports " + ports + " are taken on this node (bind test)")
        .addAllBusyPorts(ports)
        .build();
  }

  private static CommandResult failure(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return failed(
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
  }

  private <T> CompletableFuture<T> call(Supplier<T> work) {
    return executor.call(work);
  }

  private void run(Runnable work) {
    executor.run(work);
  }

  private void schedule(Duration delay, Runnable work) {
    executor.schedule(delay, work);
  }

  /**
   * Stops every container: SIGTERM, then SIGKILL for those still alive after {@code grace}. Only
   * for an agent that must take its workloads with it (dev mode, when its parent is gone); a normal
   * stop of the agent leaves containers running.
   */
  public void stopAll(Duration grace) {
    List<ProcessHandle> processes;
    try {
      processes =
          call(() -> {
                // No refills from here on: the pools are to end, not to be topped up.
                stoppingAll = true;
                poolTargets.clear();
                for (InstanceRestarts restart : List.copyOf(restarts.values())) {
                  if (restart.pending != null) {
                    cancel(restart, "the agent stops every container", "");
                  }
                }
                for (ContainerRecord record : containers.values()) {
                  // Kept on disk too: a later agent must not take their end for a crash.
                  record.stopRequested = true;
                  persist(record);
                }
                return containers.values().stream()
                    .filter(r -> r.handle != null)
                    .map(r -> r.handle)
                    .toList();
              })
              .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("cannot list the containers to stop", e);
      return;
    }
    processes.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : processes) {
      try {
        p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception stillRunning) {
        p.destroyForcibly();
      }
    }
  }

  /** Stops supervising; the containers keep running. */
  @Override
  public void close() {
    executor.close();
    healthChecks.shutdownNow();
  }
}
