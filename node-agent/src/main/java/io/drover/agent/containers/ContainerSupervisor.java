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
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
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
 * hands services to IDLE containers, stops them, and reports every change. One thread owns all
 * state; the public methods only queue work for it and never block their caller.
 *
 * <p>Closing the supervisor stops nothing: containers outlive the agent.
 */
public final class ContainerSupervisor implements AutoCloseable {
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

  private final ContainerLauncher launcher;
  private final ArtifactCache artifacts;
  private final ContainerListener listener;
  private final Path containersDir;
  private final Clock clock;
  private final int maxStarting;
  private final int metricsIntervalMs;
  private final SerialLoop executor;
  private final SecureRandom random = new SecureRandom();

  /** Health checks block on sockets, so they run apart from the supervisor's thread. */
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
  private volatile List<ContainerReport> snapshot = List.of();
  private boolean stoppingAll;
  private volatile Map<String, ContainerMetrics> reportedMetrics = Map.of();

  public ContainerSupervisor(
      ContainerLauncher launcher,
      ArtifactCache artifacts,
      ContainerListener listener,
      Path containersDir,
      Clock clock,
      int maxStarting,
      int metricsIntervalMs) {
    this.launcher = launcher;
    this.artifacts = artifacts;
    this.listener = listener;
    this.containersDir = containersDir;
    this.clock = clock;
    this.maxStarting = maxStarting;
    this.metricsIntervalMs = metricsIntervalMs;
    this.executor = new SerialLoop("drover-containers");
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
                        List<Integer> busy = PortProbe.busy(ports(ready));
                        if (!busy.isEmpty()) {
                          return busy(busy);
                        }
                        ContainerRecord record = launch(profile, ready);
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
            ContainerRecord record = launch(profile, null);
            if (record == null) {
              return failed("could not start a JVM of profile " + profile.getName());
            }
            record.onDemand = true;
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

  /** Stops the container's service gracefully; the container then exits. */
  public CompletableFuture<CommandResult> release(
      String containerId, int gracePeriodMs, String commandId) {
    return call(
        () -> {
          ContainerRecord record = containers.get(containerId);
          if (record == null) {
            return ok(); // already gone: releasing it again changes nothing
          }
          record.stopRequested = true;
          record.commandId = commandId;
          if (record.channel != null && record.channel.release(gracePeriodMs)) {
            record.state = ContainerState.CONTAINER_STATE_STOPPING;
            changed(record);
            schedule(
                Duration.ofMillis(gracePeriodMs).plus(RELEASE_SLACK),
                () -> terminate(record, Duration.ofSeconds(5)));
          } else {
            terminate(record, Duration.ofMillis(gracePeriodMs));
          }
          return ok();
        });
  }

  /** Stops the container with signals: SIGTERM, then SIGKILL after the grace period. */
  public CompletableFuture<CommandResult> stop(
      String containerId, int gracePeriodMs, String commandId) {
    return call(
        () -> {
          ContainerRecord record = containers.get(containerId);
          if (record == null) {
            return ok();
          }
          record.stopRequested = true;
          record.commandId = commandId;
          terminate(record, Duration.ofMillis(gracePeriodMs));
          return ok();
        });
  }

  // ---- what containers say over their link ----

  /** A container attached; its id and secret decide whether it is accepted. */
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
          if (record.state == ContainerState.CONTAINER_STATE_STARTING) {
            record.state = ContainerState.CONTAINER_STATE_IDLE;
            launchBackoff.remove(record.profile);
          }
          if (record.cold
              && record.assignment != null
              && record.state == ContainerState.CONTAINER_STATE_IDLE) {
            channel.assign(record.assignment);
            record.state = ContainerState.CONTAINER_STATE_LOADING;
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
        });
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
    if (failure == null) {
      if (record.healthFailures >= UNHEALTHY_AFTER) {
        log.info("container {} ({}) is healthy again", record.id, assignment.getInstanceId());
      }
      record.healthFailures = 0;
    } else if (++record.healthFailures == UNHEALTHY_AFTER) {
      log.warn(
          "container {} ({}): health check failing: {}",
          record.id,
          assignment.getInstanceId(),
          failure);
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
          }
        });
  }

  // ---- views for the rest of the agent ----

  /** Every container, as of the last change; safe from any thread. */
  public List<ContainerReport> reports() {
    return snapshot;
  }

  /** What each container last reported of itself (heap, service metrics); safe from any thread. */
  public Map<String, ContainerMetrics> reportedMetrics() {
    return reportedMetrics;
  }

  // ---- internals, all on the supervisor's thread ----

  private ContainerRecord launch(JvmProfile profile, ServiceAssignment cold) {
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
      record.process =
          launcher.launch(new ContainerLauncher.Launch(id, secret, profile, record.dir, coldPort));
    } catch (IOException e) {
      log.warn("cannot start a container JVM of profile {}: {}", profile.getName(), e.getMessage());
      delayLaunches(profile);
      return null;
    }
    containers.put(id, record);
    log.info(
        "started container {} (profile {}, pid {}){}",
        id,
        profile.getName(),
        record.pid(),
        cold == null ? "" : " cold for " + cold.getInstanceId());
    record.process.onExit().thenRun(() -> run(() -> exited(record)));
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

  private void exited(ContainerRecord record) {
    if (containers.get(record.id) != record) {
      return;
    }
    record.exitCode = record.process.exitValue();
    boolean expected =
        !record.failing
            && (record.stopRequested
                || (record.exitCode == 0
                    && record.state == ContainerState.CONTAINER_STATE_STOPPING));
    if (!expected && !stoppingAll && record.state == ContainerState.CONTAINER_STATE_STARTING) {
      delayLaunches(record.profile);
    }
    if (record.reason.isEmpty() || expected) {
      record.reason = expected ? "stopped" : "exited with code " + record.exitCode;
      if (!expected && record.state == ContainerState.CONTAINER_STATE_STARTING) {
        // It died before it could say anything over its link: its JVM output says why.
        record.reason += " before attaching: " + lastLine(record.dir.resolve("jvm.out"));
      }
    }
    record.state =
        expected ? ContainerState.CONTAINER_STATE_EXITED : ContainerState.CONTAINER_STATE_FAILED;
    log.info(
        "container {} {} (exit code {}): {}",
        record.id,
        shortName(record.state),
        record.exitCode,
        record.reason);
    changed(record);
    containers.remove(record.id);
    snapshot = containers.values().stream().map(ContainerRecord::report).toList();
    if (reportedMetrics.containsKey(record.id)) {
      Map<String, ContainerMetrics> all = new HashMap<>(reportedMetrics);
      all.remove(record.id);
      reportedMetrics = Map.copyOf(all);
    }
    maintainPools();
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
        if (launch(profile, null) == null) {
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
    if (record.process == null || !record.process.isAlive()) {
      return;
    }
    record.stopRequested = true;
    ProcessHandle handle = record.process.toHandle();
    handle.destroy();
    schedule(
        grace,
        () -> {
          if (handle.isAlive()) {
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

  private void changed(ContainerRecord record) {
    snapshot = containers.values().stream().map(ContainerRecord::report).toList();
    listener.changed(record.report(), record.commandId);
  }

  private static String lastLine(Path file) {
    try (var lines = java.nio.file.Files.lines(file)) {
      return lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no output)").strip();
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(no output)";
    }
  }

  private static List<Integer> ports(ServiceAssignment assignment) {
    return assignment.getPortsList().stream().map(PortBinding::getPort).toList();
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
                return containers.values().stream()
                    .filter(r -> r.process != null)
                    .map(r -> r.process.toHandle())
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
