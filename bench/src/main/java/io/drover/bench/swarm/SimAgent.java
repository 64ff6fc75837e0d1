package io.drover.bench.swarm;

import io.drover.common.grpc.OutboundStream;
import io.drover.v1.AgentBatch;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerEvent;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.ControllerMessage;
import io.drover.v1.Hello;
import io.drover.v1.Inventory;
import io.drover.v1.JvmProfile;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.PortRange;
import io.drover.v1.ServiceAssignment;
import io.drover.v1.Telemetry;
import io.drover.v1.Welcome;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One simulated node: a real gRPC stream to the controller (its own connection), a made-up
 * inventory, and containers that exist only here. It speaks the agent's protocol as {@code
 * ControllerLink} and {@code ContainerSupervisor} do: hello with every container, telemetry at a
 * fixed rate through the same flow-controlled writer ({@link OutboundStream}, latest sample wins),
 * commands refused when of another epoch and answered once per id, the warm pool refilled, every
 * container change reported as a container event. Containers start, load and stop at once.
 *
 * <p>It takes command batches and sends what one batch of commands caused (results and container
 * events) as one {@code AgentBatch}; {@code -Ddrover.bench.batches=false} turns both off.
 *
 * <p>Thread-safe: gRPC callbacks and the telemetry timer take the agent's lock, only touch memory
 * and never block.
 */
public final class SimAgent {
  /** What a simulated node claims to be. */
  static final long MEMORY_BYTES = 256L << 30;

  static final int CORES = 64;
  static final PortRange INSTANCE_PORTS =
      PortRange.newBuilder().setLow(20000).setHigh(32000).build();

  private static final int OUTBOUND_CAPACITY = 1 << 16;
  private static final int REMEMBERED_COMMANDS = 4096;
  private static final long CONTAINER_RSS = 48L << 20;

  /** At most this many messages go in one batch: well under the controller's size limit. */
  private static final int MAX_BATCH = 256;

  private final Swarm swarm;
  private final String nodeId;
  private final String name;
  private final ManagedChannel channel;
  private final AgentGatewayGrpc.AgentGatewayStub stub;

  // Guarded by this.
  private final Map<String, SimContainer> containers = new LinkedHashMap<>();
  private final Map<String, WarmTarget> warmPools = new LinkedHashMap<>();
  private final Map<String, CommandResult> answered =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CommandResult> eldest) {
          return size() > REMEMBERED_COMMANDS;
        }
      };
  private final long[] sentAtMs = new long[8];
  private final long[] sentAtNanos = new long[8];
  private Session session;
  private long highestEpoch;
  private long containerCounter;
  private long sequence;
  private long commandsHandled;
  private volatile String refuseStarts;
  private long runningCount;
  private boolean closed;

  /** While a command or a batch of them is handled: what it sends, to go out together. */
  private List<AgentMessage> outbox;

  private record WarmTarget(JvmProfile profile, int size) {}

  /** A container that exists only in this simulator. */
  private static final class SimContainer {
    final String id;
    final JvmProfile profile;
    final long pid;
    final long startedAtMs;

    /**
     * What every sample says of it: a simulated container's figures never change, so the message is
     * built once (and protobuf keeps its size), as the simulator must not starve the controller it
     * measures by rebuilding 200,000 of them a second.
     */
    final ContainerMetrics metrics;

    ContainerState state = ContainerState.CONTAINER_STATE_STARTING;
    ServiceAssignment assignment;

    SimContainer(String id, JvmProfile profile, long pid) {
      this.id = id;
      this.profile = profile;
      this.pid = pid;
      this.startedAtMs = System.currentTimeMillis();
      this.metrics =
          ContainerMetrics.newBuilder()
              .setContainerId(id)
              .setCpuPercent(1.5)
              .setRssBytes(CONTAINER_RSS)
              .setThreads(20)
              .setOpenFiles(40)
              .setHeapUsedBytes(8L << 20)
              .setHeapMaxBytes(64L << 20)
              .build();
    }

    ContainerReport report() {
      ContainerReport.Builder r =
          ContainerReport.newBuilder()
              .setContainerId(id)
              .setState(state)
              .setProfile(profile)
              .setPid(pid)
              .setStartedAtMs(startedAtMs);
      if (assignment != null) {
        r.setService(assignment.getService())
            .setInstanceId(assignment.getInstanceId())
            .addAllPorts(assignment.getPortsList());
      }
      if (state == ContainerState.CONTAINER_STATE_EXITED) {
        r.setReason("stopped on request");
      }
      return r.build();
    }

    boolean isSpare() {
      return assignment == null
          && (state == ContainerState.CONTAINER_STATE_STARTING
              || state == ContainerState.CONTAINER_STATE_IDLE);
    }
  }

  /** The profile of the containers a simulated node already runs when it joins. */
  static final JvmProfile SPARE_PROFILE =
      JvmProfile.newBuilder().setName("sim").setHeapMb(16).build();

  /**
   * @param spares IDLE containers the node already runs when it joins (its hello lists them)
   */
  SimAgent(Swarm swarm, String nodeId, String name, ManagedChannel channel, int spares) {
    this.swarm = swarm;
    this.nodeId = nodeId;
    this.name = name;
    this.channel = channel;
    this.stub = AgentGatewayGrpc.newStub(channel);
    for (int i = 0; i < spares; i++) {
      SimContainer c =
          new SimContainer(nodeId + "-c" + ++containerCounter, SPARE_PROFILE, 100_000 + i);
      c.state = ContainerState.CONTAINER_STATE_IDLE;
      containers.put(c.id, c);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public String name() {
    return name;
  }

  /** Whether the controller has welcomed the current stream. */
  public synchronized boolean connected() {
    return session != null && session.epoch > 0;
  }

  public synchronized int runningContainers() {
    return (int) runningCount;
  }

  public synchronized int containerCount() {
    return containers.size();
  }

  /**
   * From now on, answers every StartContainers with this error and starts nothing, as a node whose
   * JVMs cannot start does; null to start them again.
   */
  public void refuseStarts(String error) {
    refuseStarts = error;
  }

  public synchronized long commandsHandled() {
    return commandsHandled;
  }

  /**
   * When the telemetry sample stamped {@code sampledAtMs} was handed to the transport ({@link
   * System#nanoTime()}), or -1 when it is too old to be remembered.
   */
  public synchronized long sentAtNanos(long sampledAtMs) {
    for (int i = 0; i < sentAtMs.length; i++) {
      if (sentAtMs[i] == sampledAtMs) {
        return sentAtNanos[i];
      }
    }
    return -1;
  }

  synchronized void connect() {
    if (closed) {
      return;
    }
    Session fresh = new Session();
    session = fresh;
    stub.connect(fresh);
    Hello.Builder hello =
        Hello.newBuilder()
            .setNodeId(nodeId)
            .setNodeName(name)
            .setAgentVersion("swarm-sim")
            .setAgentPid(ProcessHandle.current().pid())
            .setInventory(inventory())
            .setLastEpoch(highestEpoch)
            .setInstancePorts(INSTANCE_PORTS)
            .setAdvertiseAddress("127.0.0.1")
            .setHttpPort(7481)
            .setAcceptsCommandBatches(swarm.batches());
    for (SimContainer c : containers.values()) {
      hello.addContainers(c.report());
    }
    fresh.out.send(AgentMessage.newBuilder().setHello(hello).build());
  }

  private Inventory inventory() {
    return Inventory.newBuilder()
        .setHostname(name)
        .setOs("GNU/Linux simulated")
        .setKernel("6.0-sim")
        .setArch("amd64")
        .setCpuModel("simulated")
        .setPhysicalCores(CORES)
        .setLogicalCores(CORES)
        .setMemoryBytes(MEMORY_BYTES)
        .setLocalPortRange(PortRange.newBuilder().setLow(32768).setHigh(60999))
        .setBootTimeMs(System.currentTimeMillis() - 3_600_000)
        .build();
  }

  private synchronized void onWelcome(Session from, Welcome welcome) {
    if (from != session || closed) {
      return;
    }
    from.epoch = welcome.getSessionEpoch();
    from.controllerTakesBatches = swarm.batches() && welcome.getAcceptsAgentBatches();
    highestEpoch = Math.max(highestEpoch, from.epoch);
    long interval =
        swarm.telemetryIntervalMs() > 0
            ? swarm.telemetryIntervalMs()
            : Math.max(100, welcome.getTelemetryIntervalMs());
    // Spread the swarm's samples over the interval, as independent machines would.
    long first = Math.floorMod(nodeId.hashCode(), (int) interval);
    from.telemetry =
        swarm
            .timer()
            .scheduleAtFixedRate(() -> sendTelemetry(from), first, interval, TimeUnit.MILLISECONDS);
    for (String instance : welcome.getReplacedInstanceIdsList()) {
      for (SimContainer c : List.copyOf(containers.values())) {
        if (c.assignment != null && c.assignment.getInstanceId().equals(instance)) {
          stopContainer(c, "");
        }
      }
    }
  }

  private synchronized void sendTelemetry(Session from) {
    if (from != session || from.ended) {
      return;
    }
    long now = System.currentTimeMillis();
    Telemetry.Builder t =
        Telemetry.newBuilder()
            .setSampledAtMs(now)
            .setSequence(++sequence)
            .setNode(
                NodeTelemetry.newBuilder()
                    .setCpuLoad(0.1)
                    .setLoadAverage1M(0.5)
                    .setLoadAverage5M(0.5)
                    .setLoadAverage15M(0.5)
                    .setMemoryTotalBytes(MEMORY_BYTES)
                    .setMemoryAvailableBytes(
                        Math.max(0, MEMORY_BYTES - containers.size() * CONTAINER_RSS))
                    .setProcessCount(100 + containers.size())
                    .setUptimeSeconds(3600));
    int budget = swarm.containerMetricsPerSample();
    for (SimContainer c : containers.values()) {
      if (budget-- <= 0) {
        break;
      }
      t.addContainers(c.metrics);
    }
    int slot = (int) (sequence % sentAtMs.length);
    sentAtMs[slot] = now;
    sentAtNanos[slot] = System.nanoTime();
    from.out.sendLatest(
        AgentMessage.newBuilder().setSessionEpoch(from.epoch).setTelemetry(t).build());
  }

  /**
   * Handles commands that came together, and sends what they caused as batches when the controller
   * takes them: as a real agent that reports everything that is ready at once.
   */
  private synchronized void onCommands(Session from, long epoch, List<Command> commands) {
    if (from != session || closed) {
      return;
    }
    outbox = new ArrayList<>();
    try {
      for (Command command : commands) {
        onCommand(from, epoch, command);
      }
    } finally {
      List<AgentMessage> collected = outbox;
      outbox = null;
      sendCollected(from, collected);
    }
  }

  private void sendCollected(Session from, List<AgentMessage> collected) {
    if (!from.controllerTakesBatches) {
      collected.forEach(this::sendNow);
      return;
    }
    for (int i = 0; i < collected.size(); i += MAX_BATCH) {
      List<AgentMessage> part = collected.subList(i, Math.min(collected.size(), i + MAX_BATCH));
      if (part.size() == 1) {
        sendNow(part.get(0));
      } else {
        sendNow(
            AgentMessage.newBuilder()
                .setSessionEpoch(from.epoch)
                .setBatch(AgentBatch.newBuilder().addAllMessages(part))
                .build());
      }
    }
  }

  private void onCommand(Session from, long epoch, Command command) {
    commandsHandled++;
    if (epoch != from.epoch) {
      send(
          AgentMessage.newBuilder()
              .setCommandResult(
                  CommandResult.newBuilder()
                      .setCommandId(command.getCommandId())
                      .setOk(false)
                      .setError(
                          "refused: command of session epoch "
                              + epoch
                              + ", current is "
                              + from.epoch)));
      return;
    }
    CommandResult earlier = answered.get(command.getCommandId());
    List<Runnable> afterAnswer = new ArrayList<>();
    CommandResult result = earlier != null ? earlier : run(command, afterAnswer);
    answered.put(command.getCommandId(), result);
    send(AgentMessage.newBuilder().setCommandResult(result));
    afterAnswer.forEach(Runnable::run);
  }

  /**
   * Carries out a command; {@code afterAnswer} gets what happens once it is answered (a loaded
   * service reports RUNNING after its assignment was acknowledged, as on a real node).
   */
  private CommandResult run(Command command, List<Runnable> afterAnswer) {
    String id = command.getCommandId();
    CommandResult.Builder result = CommandResult.newBuilder().setCommandId(id).setOk(true);
    switch (command.getActionCase()) {
      case SET_WARM_POOL -> {
        JvmProfile profile = command.getSetWarmPool().getProfile();
        warmPools.put(
            profile.getName(), new WarmTarget(profile, command.getSetWarmPool().getSize()));
        maintainPools(id);
      }
      case START_CONTAINERS -> {
        var start = command.getStartContainers();
        String refusal = refuseStarts;
        if (refusal != null) {
          return failed(result, refusal);
        }
        for (int i = 0; i < start.getCount(); i++) {
          SimContainer c = newContainer(start.getProfile(), id);
          result.addContainerIds(c.id);
          if (start.hasColdAssignment()) {
            c.assignment = start.getColdAssignment();
            change(c, ContainerState.CONTAINER_STATE_LOADING, id);
            change(c, ContainerState.CONTAINER_STATE_RUNNING, id);
          } else {
            change(c, ContainerState.CONTAINER_STATE_IDLE, id);
          }
        }
      }
      case ASSIGN_SERVICE -> {
        SimContainer c = containers.get(command.getAssignService().getContainerId());
        ServiceAssignment assignment = command.getAssignService().getAssignment();
        if (c == null) {
          return failed(result, "no container " + command.getAssignService().getContainerId());
        }
        if (c.assignment != null) {
          return c.assignment.getInstanceId().equals(assignment.getInstanceId())
              ? result.build()
              : failed(
                  result, "container " + c.id + " already runs " + c.assignment.getInstanceId());
        }
        if (c.state != ContainerState.CONTAINER_STATE_IDLE) {
          return failed(result, "container " + c.id + " is " + c.state + ", not IDLE");
        }
        c.assignment = assignment;
        change(c, ContainerState.CONTAINER_STATE_LOADING, id);
        maintainPools(id);
        afterAnswer.add(() -> change(c, ContainerState.CONTAINER_STATE_RUNNING, id));
        return result.build();
      }
      case RELEASE_CONTAINER, STOP_CONTAINER -> {
        String containerId =
            command.hasReleaseContainer()
                ? command.getReleaseContainer().getContainerId()
                : command.getStopContainer().getContainerId();
        SimContainer c = containers.get(containerId);
        if (c != null) {
          stopContainer(c, id);
        }
      }
      case PROBE_PORTS -> result.addAllFreePorts(command.getProbePorts().getPortsList());
      case DRAIN_NOTICE -> {}
      case ACTION_NOT_SET -> {
        return failed(result, "command " + id + " has no action");
      }
    }
    return result.build();
  }

  private static CommandResult failed(CommandResult.Builder result, String why) {
    return result.setOk(false).setError(why).build();
  }

  /** Starts spares up to each profile's target and stops IDLE ones beyond it. */
  private void maintainPools(String commandId) {
    for (WarmTarget target : warmPools.values()) {
      List<SimContainer> spares = new ArrayList<>();
      for (SimContainer c : containers.values()) {
        if (c.isSpare() && c.profile.getName().equals(target.profile().getName())) {
          spares.add(c);
        }
      }
      for (int i = spares.size(); i < target.size(); i++) {
        change(newContainer(target.profile(), commandId), ContainerState.CONTAINER_STATE_IDLE, "");
      }
      for (int i = target.size(); i < spares.size(); i++) {
        stopContainer(spares.get(i), "");
      }
    }
  }

  private SimContainer newContainer(JvmProfile profile, String commandId) {
    SimContainer c =
        // Unique in the cluster, as a real agent's random ids are: the controller keys
        // reservations by container id, and ids shared across nodes stalled placement.
        new SimContainer(nodeId + "-c" + ++containerCounter, profile, 100_000 + containerCounter);
    containers.put(c.id, c);
    report(c, commandId);
    return c;
  }

  private void stopContainer(SimContainer c, String commandId) {
    change(c, ContainerState.CONTAINER_STATE_STOPPING, commandId);
    change(c, ContainerState.CONTAINER_STATE_EXITED, commandId);
  }

  private void change(SimContainer c, ContainerState state, String commandId) {
    if (c.state == ContainerState.CONTAINER_STATE_RUNNING) {
      runningCount--;
    }
    c.state = state;
    if (state == ContainerState.CONTAINER_STATE_RUNNING) {
      runningCount++;
    }
    if (state == ContainerState.CONTAINER_STATE_EXITED
        || state == ContainerState.CONTAINER_STATE_FAILED) {
      containers.remove(c.id);
    }
    report(c, commandId);
  }

  private void report(SimContainer c, String commandId) {
    send(
        AgentMessage.newBuilder()
            .setContainerEvent(
                ContainerEvent.newBuilder().setContainer(c.report()).setCommandId(commandId)));
  }

  private void send(AgentMessage.Builder message) {
    Session s = session;
    if (s == null || s.ended || s.epoch == 0) {
      return; // the next hello carries everything
    }
    AgentMessage built = message.setSessionEpoch(s.epoch).build();
    if (outbox != null) {
      outbox.add(built);
    } else {
      sendNow(built);
    }
  }

  private void sendNow(AgentMessage message) {
    Session s = session;
    if (s == null || s.ended) {
      return;
    }
    if (!s.out.send(message)) {
      s.out.fail(Status.RESOURCE_EXHAUSTED.withDescription("simulated agent's queue is full"));
      ended(s, Status.RESOURCE_EXHAUSTED);
    }
  }

  private synchronized void ended(Session from, Status reason) {
    if (from.ended) {
      return;
    }
    from.ended = true;
    from.out.terminated();
    if (from.telemetry != null) {
      from.telemetry.cancel(false);
    }
    if (from == session && !closed) {
      session = null;
      swarm.disconnected(this, reason);
      swarm.timer().schedule(this::connect, 1, TimeUnit.SECONDS);
    }
  }

  synchronized void close() {
    closed = true;
    if (session != null) {
      if (session.telemetry != null) {
        session.telemetry.cancel(false);
      }
      session.out.complete();
    }
  }

  ManagedChannel channel() {
    return channel;
  }

  /** One stream to the controller. */
  private final class Session implements ClientResponseObserver<AgentMessage, ControllerMessage> {
    OutboundStream<AgentMessage> out;
    volatile long epoch;
    volatile boolean controllerTakesBatches;
    boolean ended;
    ScheduledFuture<?> telemetry;

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
      out = OutboundStream.attach(requestStream, OUTBOUND_CAPACITY);
    }

    @Override
    public void onNext(ControllerMessage message) {
      switch (message.getBodyCase()) {
        case WELCOME -> onWelcome(this, message.getWelcome());
        case COMMAND -> onCommands(this, message.getSessionEpoch(), List.of(message.getCommand()));
        case COMMANDS ->
            onCommands(this, message.getSessionEpoch(), message.getCommands().getCommandsList());
        default -> {}
      }
    }

    @Override
    public void onError(Throwable t) {
      ended(this, Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended(this, Status.UNAVAILABLE.withDescription("the controller closed the stream"));
    }
  }
}
