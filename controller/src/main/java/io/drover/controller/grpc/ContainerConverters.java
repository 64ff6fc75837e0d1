package io.drover.controller.grpc;

import static io.drover.controller.grpc.ProtoLimits.SHORT_TEXT;
import static io.drover.controller.grpc.ProtoLimits.list;
import static io.drover.controller.grpc.ProtoLimits.text;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.Assignment;
import io.drover.controller.agents.CommandOutcome;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.containers.JvmProfile;
import io.drover.v1.AssignService;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.HealthCheck;
import io.drover.v1.PortBinding;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.drover.v1.SetWarmPool;
import io.drover.v1.StartContainers;
import io.drover.v1.StopContainer;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Containers, their loads and the commands about them, between proto and domain. */
final class ContainerConverters {
  private ContainerConverters() {}

  static ContainerView container(String nodeId, ContainerReport r) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (PortBinding p : list("container.ports", r.getPortsList(), 64)) {
      ports.put(
          name(text("container.ports.name", p.getName(), SHORT_TEXT)),
          ProtoLimits.port("container.ports.port", p.getPort()));
    }
    return new ContainerView(
        text("container.container_id", r.getContainerId(), 64),
        nodeId,
        status(r.getState()),
        profile(r.getProfile()),
        r.getPid(),
        Instant.ofEpochMilli(r.getStartedAtMs()),
        name(text("container.service", r.getService(), SHORT_TEXT)),
        text("container.instance_id", r.getInstanceId(), SHORT_TEXT),
        ports,
        text("container.reason", r.getReason(), ProtoLimits.LONG_TEXT),
        r.getExitCode(),
        restarts(r));
  }

  /**
   * One copy of a name that many containers carry: a service, profile or port name, a java path, a
   * JVM flag. Every report decodes new strings, and a node's ten containers of one service held ten
   * copies of each name, a hundred thousand for as many containers. These names are few (a
   * catalog's worth), so the JVM's own string table holds them; ids, which are one per container,
   * are not put there.
   */
  static String name(String value) {
    return value.isEmpty() ? "" : value.intern();
  }

  /** The shared {@link ContainerView.Restarts#NONE} for a container that never restarted. */
  private static ContainerView.Restarts restarts(ContainerReport r) {
    String lastError = text("container.last_error", r.getLastError(), ProtoLimits.LONG_TEXT);
    if (r.getRestarts() == 0 && r.getRestartAtMs() <= 0 && lastError.isEmpty()) {
      return ContainerView.Restarts.NONE;
    }
    return new ContainerView.Restarts(
        r.getRestarts(),
        r.getRestartAtMs() > 0
            ? Optional.of(Instant.ofEpochMilli(r.getRestartAtMs()))
            : Optional.empty(),
        lastError);
  }

  static List<ContainerView> containers(String nodeId, List<ContainerReport> reports) {
    return list("hello.containers", reports, 10_000).stream()
        .map(r -> container(nodeId, r))
        .toList();
  }

  static ContainerStatus status(ContainerState s) {
    return switch (s) {
      case CONTAINER_STATE_STARTING -> ContainerStatus.STARTING;
      case CONTAINER_STATE_IDLE -> ContainerStatus.IDLE;
      case CONTAINER_STATE_LOADING -> ContainerStatus.LOADING;
      case CONTAINER_STATE_RUNNING -> ContainerStatus.RUNNING;
      case CONTAINER_STATE_STOPPING -> ContainerStatus.STOPPING;
      case CONTAINER_STATE_EXITED -> ContainerStatus.EXITED;
      case CONTAINER_STATE_FAILED -> ContainerStatus.FAILED;
      case CONTAINER_STATE_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidArgumentException("container.state", "is not a known state");
    };
  }

  static ContainerState state(ContainerStatus s) {
    return ContainerState.valueOf("CONTAINER_STATE_" + s.name());
  }

  static JvmProfile profile(io.drover.v1.JvmProfile p) {
    List<String> flags = list("profile.flags", p.getFlagsList(), 128);
    return new JvmProfile(
        name(text("profile.name", p.getName(), SHORT_TEXT)),
        name(text("profile.java", p.getJava(), ProtoLimits.LONG_TEXT)),
        p.getHeapMb(),
        flags.isEmpty() ? List.of() : flags.stream().map(ContainerConverters::name).toList());
  }

  static io.drover.v1.JvmProfile profile(JvmProfile p) {
    return io.drover.v1.JvmProfile.newBuilder()
        .setName(p.name())
        .setJava(p.java())
        .setHeapMb(p.heapMb())
        .addAllFlags(p.flags())
        .build();
  }

  /**
   * The containers' loads by container id; a container with more than 1,000 service metrics keeps
   * none of them.
   */
  static Map<String, ContainerLoad> loads(List<ContainerMetrics> metrics) {
    return loads(metrics, new ContainerIds());
  }

  /**
   * As {@link #loads(List)}, with the id strings of the stream's last sample where they are the
   * same, in the same place.
   */
  static Map<String, ContainerLoad> loads(List<ContainerMetrics> metrics, ContainerIds ids) {
    list("telemetry.containers", metrics, 10_000);
    Map<String, ContainerLoad> loads = new HashMap<>(metrics.size() * 4 / 3 + 1);
    String[] last = ids.last;
    String[] now = last.length == metrics.size() ? last : new String[metrics.size()];
    for (int i = 0; i < now.length; i++) {
      ContainerMetrics m = metrics.get(i);
      String id = m.getContainerId();
      if (i < last.length && last[i].equals(id)) {
        id = last[i];
      }
      now[i] = id;
      // Read once: each read of a protobuf map builds a view of it, even of an empty one.
      Map<String, Double> service = m.getServiceMetricsMap();
      loads.put(
          id,
          new ContainerLoad(
              m.getCpuPercent(),
              m.getRssBytes(),
              m.getThreads(),
              m.getOpenFiles(),
              m.getHeapUsedBytes(),
              m.getHeapMaxBytes(),
              service.isEmpty() || service.size() > 1000 ? Map.of() : service));
    }
    ids.last = now;
    return loads;
  }

  /**
   * The container ids of one stream's last telemetry sample, in the order sent. An agent sends the
   * same containers in the same order sample after sample, so the strings of the last sample are
   * reused for the next: a string keeps its hash once computed, and the maps the loads go into (the
   * scheduler's) then find their key by identity instead of hashing and comparing a new string of
   * each container every second. For the callbacks of one stream, which come one at a time.
   */
  static final class ContainerIds {
    private String[] last = new String[0];
  }

  static ContainerMetrics metrics(String containerId, ContainerLoad l) {
    return ContainerMetrics.newBuilder()
        .setContainerId(containerId)
        .setCpuPercent(l.cpuPercent())
        .setRssBytes(l.rssBytes())
        .setThreads(l.threads())
        .setOpenFiles(l.openFiles())
        .setHeapUsedBytes(l.heapUsedBytes())
        .setHeapMaxBytes(l.heapMaxBytes())
        .putAllServiceMetrics(l.serviceMetrics())
        .build();
  }

  static ContainerReport report(ContainerView c) {
    ContainerReport.Builder b =
        ContainerReport.newBuilder()
            .setContainerId(c.id())
            .setState(state(c.status()))
            .setProfile(profile(c.profile()))
            .setPid(c.pid())
            .setStartedAtMs(c.startedAt().toEpochMilli())
            .setService(c.service())
            .setInstanceId(c.instanceId())
            .setReason(c.reason())
            .setExitCode(c.exitCode())
            .setRestarts(c.restarts().count())
            .setLastError(c.restarts().lastError());
    c.restarts().restartAt().ifPresent(t -> b.setRestartAtMs(t.toEpochMilli()));
    c.ports()
        .forEach((name, port) -> b.addPorts(PortBinding.newBuilder().setName(name).setPort(port)));
    return b.build();
  }

  static CommandOutcome outcome(CommandResult r) {
    return new CommandOutcome(
        r.getCommandId(),
        r.getOk(),
        text("command_result.error", r.getError(), ProtoLimits.LONG_TEXT),
        list("command_result.busy_ports", r.getBusyPortsList(), 1024),
        list("command_result.container_ids", r.getContainerIdsList(), 1024));
  }

  static Command command(String id, AgentCommand command) {
    Command.Builder b = Command.newBuilder().setCommandId(id);
    // Java 17 has no pattern switch; the sealed interface keeps this list complete.
    if (command instanceof AgentCommand.SetWarmPool c) {
      b.setSetWarmPool(SetWarmPool.newBuilder().setProfile(profile(c.profile())).setSize(c.size()));
    } else if (command instanceof AgentCommand.StartContainers c) {
      StartContainers.Builder s =
          StartContainers.newBuilder().setProfile(profile(c.profile())).setCount(c.count());
      c.cold().ifPresent(a -> s.setColdAssignment(assignment(a)));
      b.setStartContainers(s);
    } else if (command instanceof AgentCommand.AssignService c) {
      b.setAssignService(
          AssignService.newBuilder()
              .setContainerId(c.containerId())
              .setAssignment(assignment(c.assignment())));
    } else if (command instanceof AgentCommand.ReleaseContainer c) {
      b.setReleaseContainer(
          ReleaseContainer.newBuilder()
              .setContainerId(c.containerId())
              .setGracePeriodMs((int) c.gracePeriod().toMillis()));
    } else if (command instanceof AgentCommand.StopContainer c) {
      b.setStopContainer(
          StopContainer.newBuilder()
              .setContainerId(c.containerId())
              .setGracePeriodMs((int) c.gracePeriod().toMillis())
              .setReason(c.reason()));
    } else {
      throw new IllegalArgumentException("unknown command " + command);
    }
    return b.build();
  }

  static ServiceAssignment assignment(Assignment a) {
    ServiceAssignment.Builder b =
        ServiceAssignment.newBuilder()
            .setService(a.service())
            .setInstanceId(a.instanceId())
            .setArtifact(a.artifact())
            .setSha256(a.sha256())
            .setEntry(a.entry())
            .addAllArgs(a.args())
            .putAllEnv(a.env())
            .putAllSystemProperties(a.systemProperties())
            .setGracePeriodMs((int) a.gracePeriod().toMillis())
            .setStartTimeoutMs((int) a.startTimeout().toMillis())
            .setHealth(
                HealthCheck.newBuilder()
                    .setType(HealthCheck.Type.valueOf("TYPE_" + a.health().type().name()))
                    .setPath(a.health().path())
                    .setPort(a.health().port())
                    .setIntervalMs((int) a.health().interval().toMillis())
                    .setTimeoutMs((int) a.health().timeout().toMillis()));
    a.ports()
        .forEach((name, port) -> b.addPorts(PortBinding.newBuilder().setName(name).setPort(port)));
    return b.build();
  }
}
