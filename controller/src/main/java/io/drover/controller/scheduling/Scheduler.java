package io.drover.controller.scheduling;

import io.drover.common.concurrent.SerialLoop;
import io.drover.common.config.Durations;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.retry.Backoff;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.agents.Assignment;
import io.drover.controller.agents.CommandOutcome;
import io.drover.controller.catalog.RecoveryPolicy;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.containers.JvmProfile;
import io.drover.controller.discovery.Endpoint;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.instances.Instance;
import io.drover.controller.instances.InstanceState;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeLoad;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.ports.PortPool;
import io.drover.controller.providers.Fleet;
import io.drover.controller.scaling.Autoscaler;
import io.drover.controller.scaling.ScalingDecision;
import io.drover.controller.state.DesiredState;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges actual state (what agents report) on desired state (the catalog and the operator's
 * scale): creates and places instances, hands them to warm containers or starts containers, stops
 * extra ones, keeps each node's warm pools and port pools. One thread owns all of it; inputs are
 * queued, and every change triggers one reconcile pass (level-triggered: a pass only compares the
 * two states, so running it again changes nothing).
 */
public final class Scheduler implements AgentEvents, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final int INSTANCE_NUMBER_BLOCK = 100;

  /** Failed and stopped instances kept per service for listings. */
  private static final int HISTORY = 10;

  private final NodeRegistry nodes;
  private final EventJournal events;
  private final Clock clock;
  private final Duration portQuarantine;
  private final Duration foreignPortHold;
  private final SerialLoop loop;

  private final Map<String, ServicePlan> plans = new LinkedHashMap<>();
  private final Map<String, Integer> desired = new HashMap<>();

  /** What the instances use of each node, kept by the table and the spare waits as they change. */
  private final NodeUsage usage = new NodeUsage(plans);

  private final InstanceTable instances = new InstanceTable(usage);
  private final Map<String, Integer> instanceCounters = new HashMap<>();
  private final Map<String, ContainerTable> containers = new HashMap<>();

  /** Each node's latest sample of its containers' loads, by node id, then container id. */
  private final Map<String, Map<String, ContainerLoad>> loads = new HashMap<>();

  private final Map<String, PortPool> pools = new HashMap<>();
  private final Map<String, Map<JvmProfile, Integer>> warmPoolsSent = new HashMap<>();

  /** Containers promised to an instance whose assignment is in flight. */
  private final Map<String, String> reserved = new HashMap<>();

  /**
   * Container id → the instance last given it, so that a spare's report does not scan every
   * instance (a scan per report made placing I instances cost I² steps). Checked on use; an entry
   * leaves when its container ends.
   */
  private final Map<String, String> containerOwners = new HashMap<>();

  /** Spare containers asked for and not reported yet, per node. */
  private final Map<String, Integer> sparesRequested = new HashMap<>();

  private final Map<String, Backoff> failureBackoff = new HashMap<>();
  private final Map<String, Instant> placementHeldUntil = new HashMap<>();
  private final Map<String, String> lastPendingReason = new HashMap<>();
  private boolean reconcileQueued;

  /**
   * Most time from the end of a pass to the start of the next one that events queue; the spacing is
   * four times the last pass, up to this, so that passes take at most a fifth of the scheduler's
   * thread while they last under 250 ms. In a burst of container reports, one pass per report made
   * passes most of the scheduler's work, while a pass every few milliseconds changes nothing
   * placement needs (an instance waiting for a spare takes it without a pass). In a small cluster a
   * pass takes well under a millisecond, so the spacing adds nothing a scale-up would notice; a
   * lone event runs its pass at once. With 10,000 nodes a pass that places something takes tens of
   * milliseconds; a cap of 100 ms left the thread to passes and the reports they wait for behind.
   */
  private static final Duration MAX_PASS_SPACING = Duration.ofSeconds(1);

  private long lastPassNanos;
  private Instant lastTrim = Instant.MIN;
  private long lastPassEndedNanos = System.nanoTime() - MAX_PASS_SPACING.toNanos();

  /** Whether a pass is under way: its node snapshot ({@link #passNodes}) is kept for it. */
  private boolean inPass;

  private List<Node> passNodes;

  /**
   * For the pass under way, once a placement found no room: the nodes not measured yet and those
   * out of touch (each scanned once per pass, not once per instance without room).
   */
  private List<List<String>> passWaitingNodes;

  /** Decides scale changes from metrics and overload reports; owned by this thread. */
  private final Autoscaler autoscaler = new Autoscaler(ZoneId.systemDefault());

  /** The provider's servers, when one can add or remove them. */
  private Fleet fleet;

  private Duration idleServerTtl = Duration.ofMinutes(10);
  private final Map<String, Instant> idleSince = new HashMap<>();

  /** Instances of this pass that found no room on any node. */
  private final List<Instance> noRoom = new ArrayList<>();

  /** Nodes being drained. */
  private final Map<String, Drain> drains = new LinkedHashMap<>();

  /** The last reason each drain gave for waiting, so that it is said once. */
  private final Map<String, String> drainWaits = new HashMap<>();

  /**
   * A drain in progress.
   *
   * @param deadline past it, what is left on the node is stopped without a replacement first, as
   *     far as every service keeps its minimum of READY instances
   */
  private record Drain(Instant startedAt, Optional<Instant> deadline, int maxParallel) {}

  /** Pending instances whose node had no free port, with the pool's message. */
  private final Map<String, String> portsExhausted = new HashMap<>();

  /** Starting spares that pending instances of this pass already count on, per node. */
  private final SpareWaits spareWaits = new SpareWaits(usage);

  /**
   * Nodes whose last container start failed (a JVM that cannot start, a full disk): placement
   * leaves them out until then, with a backoff per node, or every pass would pick the node again,
   * since it looks emptiest.
   */
  private final Map<String, Instant> startsHeldUntil = new HashMap<>();

  private final Map<String, Backoff> startBackoff = new HashMap<>();

  /** Containers to start, per node and profile, decided by the pass under way: one command each. */
  private final Map<String, Map<JvmProfile, Integer>> startsToSend = new LinkedHashMap<>();

  /**
   * Instances replaced while their node was lost, per node, with the ports they held: the ports
   * stay taken until the node is back and no longer runs them (fencing), since the originals may
   * still be running behind a partition.
   */
  private final Map<String, Map<String, Map<String, Integer>>> fenced = new HashMap<>();

  private final SharedDesiredState state;
  private StartupHold startupHold;

  /** Recent error reports and crashes per instance, for the service's recovery policy. */
  private final Map<String, RecentTimes> errorWindows = new HashMap<>();

  private final Map<String, RecentTimes> crashWindows = new HashMap<>();

  /**
   * @param state where every change of desired state is logged before it takes effect; what it
   *     holds (scales, drains, instance numbers) is where this scheduler starts from
   * @param startupGrace after a restart, how long to wait for the nodes the state knows before
   *     placing or stopping anything, so that their hellos rebuild the actual state first
   */
  public Scheduler(
      NodeRegistry nodes,
      EventJournal events,
      Clock clock,
      Duration portQuarantine,
      Duration foreignPortHold,
      SharedDesiredState state,
      Duration startupGrace) {
    this.nodes = nodes;
    this.events = events;
    this.clock = clock;
    this.portQuarantine = portQuarantine;
    this.foreignPortHold = foreignPortHold;
    this.state = state;
    for (DesiredState.Drain d : state.read(DesiredState::drains)) {
      drains.put(d.nodeId(), new Drain(d.startedAt(), d.deadline(), d.maxParallel()));
    }
    Set<String> known = state.read(DesiredState::knownNodes);
    if (!known.isEmpty() && !startupGrace.isZero()) {
      startupHold = new StartupHold(clock.instant(), startupGrace, new HashSet<>(known));
    }
    this.loop = new SerialLoop("drover-scheduler");
    loop.every(TICK, this::queueReconcile);
  }

  /**
   * After a restart: nothing is placed or stopped until every node the state knows has said what it
   * runs, or the grace has passed.
   */
  private static final class StartupHold {
    final Instant since;
    final Instant until;
    final Set<String> awaited;
    final int known;

    StartupHold(Instant since, Duration grace, Set<String> awaited) {
      this.since = since;
      this.until = since.plus(grace);
      this.awaited = awaited;
      this.known = awaited.size();
    }
  }

  /** Whether the startup hold still holds; ends it, with an event, once it need not. */
  private boolean held(Instant now) {
    if (startupHold == null) {
      return false;
    }
    if (!startupHold.awaited.isEmpty() && now.isBefore(startupHold.until)) {
      return true;
    }
    long ms = Duration.between(startupHold.since, now).toMillis();
    int back = startupHold.known - startupHold.awaited.size();
    String message =
        startupHold.awaited.isEmpty()
            ? "all "
                + startupHold.known
                + " known node(s) reported what they run within "
                + ms
                + " ms; scheduling resumes"
            : back
                + " of "
                + startupHold.known
                + " known node(s) reported within the startup grace ("
                + ms
                + " ms); scheduling resumes without "
                + String.join(", ", startupHold.awaited);
    events.publish(
        EventKind.SCHEDULING_RESUMED,
        "controller",
        message,
        Map.of("known", Integer.toString(startupHold.known), "back", Integer.toString(back)));
    startupHold = null;
    return false;
  }

  /** Something changed outside the scheduler (a provider call ended): look again. */
  public void changed() {
    run(this::queueReconcile);
  }

  /** Lets the scheduler add servers when nodes are full and release idle ones. */
  public void useFleet(Fleet servers, Duration idleTtl) {
    run(
        () -> {
          fleet = servers;
          idleServerTtl = idleTtl;
          queueReconcile();
        });
  }

  // ---- desired state ----

  /** Puts a new catalog in force. Services keep their scale; new ones start at their initial. */
  public CompletableFuture<Void> plans(List<ServicePlan> newPlans) {
    return call(
        () -> {
          Set<String> removed = new HashSet<>(plans.keySet());
          plans.clear();
          for (ServicePlan plan : newPlans) {
            plans.put(plan.name(), plan);
            removed.remove(plan.name());
            OptionalInt stored = state.read(s -> s.scale(plan.name()));
            int start = stored.isPresent() ? plan.clamp(stored.getAsInt()) : plan.initial();
            desired.merge(plan.name(), start, (old, fresh) -> plan.clamp(old));
          }
          usage.replan(); // a service's memory or CPU may have changed
          for (String gone : removed) {
            desired.remove(gone);
            if (state.read(s -> s.scale(gone)).isPresent()) {
              state.submit(new StateCommand.ClearScale(gone));
            }
          }
          autoscaler.retain(plans.keySet());
          queueReconcile();
          return null;
        });
  }

  /** Sets the number of instances of a service, within its min and max. */
  public CompletableFuture<ServiceStatusView> scale(String service, int replicas, String reason) {
    return call(
        () -> {
          ServicePlan plan = plans.get(service);
          if (plan == null) {
            throw new NotFoundException("service", service);
          }
          if (replicas < plan.min() || replicas > plan.max()) {
            throw new InvalidArgumentException(
                "replicas",
                replicas
                    + " is outside "
                    + plan.min()
                    + "-"
                    + plan.max()
                    + " (min-max of "
                    + service
                    + ")");
          }
          int before = desired.getOrDefault(service, plan.initial());
          state.submit(new StateCommand.SetScale(service, replicas));
          desired.put(service, replicas);
          autoscaler.operatorScaled(service, replicas, clock.instant());
          if (before != replicas) {
            events.publish(
                EventKind.SERVICE_SCALED,
                "service/" + service,
                "scaled " + service + " " + before + "→" + replicas + ": " + reason,
                Map.of("from", Integer.toString(before), "to", Integer.toString(replicas)));
          }
          reconcileNow();
          List<String> exhausted =
              instances.values().stream()
                  .filter(i -> i.service().equals(service) && i.state() == InstanceState.PENDING)
                  .map(i -> portsExhausted.get(i.id()))
                  .filter(java.util.Objects::nonNull)
                  .distinct()
                  .toList();
          if (!exhausted.isEmpty()) {
            throw new ResourceExhaustedException(
                String.join("; ", exhausted)
                    + "; "
                    + service
                    + " stays at "
                    + replicas
                    + " desired and its pending instances start once ports are free");
          }
          return status(plan);
        });
  }

  /** Stops or resumes placing instances on a node; what runs there stays. */
  public CompletableFuture<Node> cordon(String nodeId, boolean cordoned) {
    return call(
        () -> {
          nodes.get(nodeId).orElseThrow(() -> new NotFoundException("node", nodeId));
          state.submit(
              cordoned ? new StateCommand.Cordon(nodeId) : new StateCommand.Uncordon(nodeId));
          if (nodes.cordon(nodeId, cordoned)) {
            if (!cordoned) {
              drains.remove(nodeId);
            }
            events.publish(
                cordoned ? EventKind.NODE_CORDONED : EventKind.NODE_UNCORDONED,
                "node/" + nodeName(nodeId),
                "node "
                    + nodeName(nodeId)
                    + (cordoned ? " takes no new instances" : " takes instances again"),
                Map.of());
          }
          queueReconcile();
          return nodes.get(nodeId).orElseThrow();
        });
  }

  /**
   * Moves every instance off a node, make-before-break: a replacement starts elsewhere and is ready
   * before the original stops, at most {@code maxParallel} at a time, so a service never has fewer
   * ready instances than before. The node is cordoned first. Past {@code deadline} what is left is
   * stopped without waiting for room elsewhere, except where that would take a service below its
   * minimum.
   */
  public CompletableFuture<Node> drain(
      String nodeId, Optional<Duration> deadline, int maxParallel) {
    return call(
        () -> {
          Instant now = clock.instant();
          state.submit(
              StateCommand.StartDrain.of(
                  nodeId, now, deadline.map(now::plus), Math.max(1, maxParallel)));
          nodes.cordon(nodeId, true);
          drains.put(nodeId, new Drain(now, deadline.map(now::plus), Math.max(1, maxParallel)));
          long count = liveOn(nodeId).size();
          events.publish(
              EventKind.NODE_DRAINING,
              "node/" + nodeName(nodeId),
              "draining node "
                  + nodeName(nodeId)
                  + ": "
                  + count
                  + " instance(s) to move, "
                  + Math.max(1, maxParallel)
                  + " at a time"
                  + deadline.map(d -> ", deadline in " + d.toSeconds() + " s").orElse(""),
              Map.of("instances", Long.toString(count)));
          reconcileNow();
          return nodes.get(nodeId).orElseThrow();
        });
  }

  /** Whether a drain of the node is still in progress. */
  public CompletableFuture<Boolean> draining(String nodeId) {
    return call(() -> drains.containsKey(nodeId));
  }

  // ---- what agents report (AgentEvents) ----

  @Override
  public void sessionOpened(String nodeId, long epoch, List<ContainerView> reported) {
    run(
        () -> {
          Map<String, ContainerView> table = new LinkedHashMap<>();
          reported.stream()
              .filter(c -> !c.status().isTerminal())
              .forEach(c -> table.put(c.id(), c));
          ContainerTable fresh = ContainerTable.of(table.values());
          // Spares given to instances whose assignments are not answered yet stay given.
          for (Instance instance : instances.onNode(nodeId)) {
            if (reserved.containsKey(instance.containerId())) {
              fresh.reserve(instance.containerId());
            }
          }
          containers.put(nodeId, fresh);
          if (startupHold != null) {
            startupHold.awaited.remove(nodeId);
          }
          if (state.read(s -> s.cordoned(nodeId))) {
            nodes.cordon(nodeId, true);
          }
          if (fleet != null) {
            fleet.nodeJoined(nodeName(nodeId));
          }
          sparesRequested.remove(nodeId);
          spareWaits.releaseNode(nodeId);
          warmPoolsSent.remove(nodeId);
          nodes.get(nodeId).ifPresent(this::portPool);
          // Crashed instances the agent restarts in place stay where they are, with their ports.
          for (ContainerView c : reported) {
            if (c.restartPending()
                && !c.instanceId().isEmpty()
                && !isFenced(nodeId, c.instanceId())) {
              Instance known = instances.get(c.instanceId());
              if (known == null) {
                known = new Instance(c.instanceId(), c.service(), clock.instant());
                known.placed(nodeId, c.id(), c.ports(), clock.instant());
                owns(known);
                instances.put(known);
                PortPool pool = pools.get(nodeId);
                if (pool != null) {
                  c.ports().values().forEach(pool::claim);
                }
                instanceCounters.merge(
                    c.service(), parseNumber(c.service(), c.instanceId()), Math::max);
              }
              if (known.nodeId().equals(nodeId)
                  && known.state().isLive()
                  && known.state() != InstanceState.RESTARTING) {
                known.container(c.id());
                owns(known);
                restarting(known, c);
              }
            }
          }
          // Level-triggered: what the agent runs is the truth; instances here without their
          // container are gone, and running containers of unknown instances are adopted.
          for (Instance instance : instances.onNode(nodeId)) {
            if ((instance.state() == InstanceState.READY
                    || instance.state() == InstanceState.STARTING)
                && !instance.containerId().isEmpty()
                && !table.containsKey(instance.containerId())
                && !reserved.containsKey(instance.containerId())) {
              fail(instance, "its container is gone from node " + nodeName(nodeId));
            }
          }
          for (Instance instance : instances.onNode(nodeId)) {
            if (instance.state() == InstanceState.RESTARTING
                && reported.stream().noneMatch(c -> c.instanceId().equals(instance.id()))) {
              fail(instance, "node " + nodeName(nodeId) + " no longer knows it");
            }
          }
          fenceOnReturn(nodeId, table);
          table.values().forEach(c -> adopt(nodeId, c));
          queueReconcile();
        });
  }

  /**
   * A node is back after it was lost. Instances replaced meanwhile that it still runs are stopped
   * (the agent was told so in its welcome too); the ports of those it no longer runs are freed.
   */
  private void fenceOnReturn(String nodeId, Map<String, ContainerView> table) {
    Map<String, Map<String, Integer>> here = fenced.get(nodeId);
    if (here == null) {
      return;
    }
    List<String> stillRunning = new ArrayList<>();
    for (ContainerView c : table.values()) {
      if (here.containsKey(c.instanceId())) {
        stillRunning.add(c.instanceId());
        nodes.send(
            nodeId,
            new AgentCommand.StopContainer(
                c.id(),
                graceOf(c.service()),
                "replaced while node " + nodeName(nodeId) + " was lost"));
      }
    }
    for (String instanceId : List.copyOf(here.keySet())) {
      if (!stillRunning.contains(instanceId)) {
        unfence(nodeId, instanceId);
      }
    }
    if (!stillRunning.isEmpty()) {
      events.publish(
          EventKind.INSTANCES_FENCED,
          "node/" + nodeName(nodeId),
          "node "
              + nodeName(nodeId)
              + " came back still running "
              + String.join(", ", stillRunning)
              + ", replaced while it was lost: they are stopped",
          Map.of("instances", String.join(",", stillRunning)));
    }
  }

  /** A fenced instance no longer runs on its node: its ports rest, then return to the pool. */
  private void unfence(String nodeId, String instanceId) {
    Map<String, Map<String, Integer>> here = fenced.get(nodeId);
    Map<String, Integer> ports = here == null ? null : here.remove(instanceId);
    if (ports == null) {
      return;
    }
    PortPool pool = pools.get(nodeId);
    if (pool != null) {
      Instant now = clock.instant();
      for (int port : ports.values()) {
        if (pool.isAllocated(port)) {
          pool.release(port, now);
        }
      }
    }
    if (here.isEmpty()) {
      fenced.remove(nodeId);
    }
    nodes.unfence(nodeId, Set.of(instanceId));
  }

  private boolean isFenced(String nodeId, String instanceId) {
    Map<String, Map<String, Integer>> here = fenced.get(nodeId);
    return here != null && here.containsKey(instanceId);
  }

  private Duration graceOf(String service) {
    ServicePlan plan = plans.get(service);
    return plan == null ? Duration.ofSeconds(10) : plan.gracePeriod();
  }

  /**
   * The failure detector declared the node lost. Its instances are replaced through placement (warm
   * pool first), at once; the originals are fenced: their ports stay taken and the node is told to
   * stop them when it comes back.
   */
  public void nodeLost(NodeRegistry.LostNode lost) {
    run(
        () -> {
          String nodeId = lost.id();
          Map<String, Map<String, Integer>> here =
              fenced.computeIfAbsent(nodeId, n -> new LinkedHashMap<>());
          List<String> replaced = new ArrayList<>();
          for (Instance instance : instances.onNode(nodeId)) {
            if (instance.state() == InstanceState.STOPPED
                || instance.state() == InstanceState.FAILED
                || instance.state() == InstanceState.PENDING) {
              continue;
            }
            boolean wasServing = instance.state().isLive();
            here.put(instance.id(), Map.copyOf(instance.ports()));
            reserved.remove(instance.containerId(), instance.id());
            instance.leaving(false);
            instance.failed("lost with node " + lost.name());
            if (wasServing) {
              replaced.add(instance.id());
              events.publish(
                  EventKind.INSTANCE_LOST,
                  "instance/" + instance.id(),
                  instance.id()
                      + " was lost with node "
                      + lost.name()
                      + "; a replacement is placed elsewhere",
                  Map.of("node", lost.name()));
            }
          }
          containers.remove(nodeId);
          loads.remove(nodeId);
          sparesRequested.remove(nodeId);
          spareWaits.releaseNode(nodeId);
          startsHeldUntil.remove(nodeId);
          startBackoff.remove(nodeId);
          warmPoolsSent.remove(nodeId);
          if (here.isEmpty()) {
            fenced.remove(nodeId);
          } else {
            nodes.fence(nodeId, Set.copyOf(here.keySet()));
          }
          log.info("node {} lost; replacing {}", lost.name(), replaced);
          // Queued, not run at once: when many nodes are lost together (a rack, or a controller
          // too busy to read telemetry) one pass replaces them all.
          queueReconcile();
        });
  }

  @Override
  public void sessionClosed(String nodeId, long epoch) {
    run(
        () -> {
          warmPoolsSent.remove(nodeId);
          sparesRequested.remove(nodeId);
          spareWaits.releaseNode(nodeId);
          queueReconcile();
        });
  }

  @Override
  public void containerChanged(String nodeId, ContainerView container, String commandId) {
    run(
        () -> {
          onContainer(nodeId, container);
          if (container.status().isTerminal()) {
            containerOwners.remove(container.id());
          }
        });
  }

  @Override
  public void containerLoads(String nodeId, Map<String, ContainerLoad> latest) {
    run(() -> loads.put(nodeId, latest));
  }

  @Override
  public void nodeLoads(Map<String, Map<String, ContainerLoad>> byNode) {
    // One entry per node, not one per container: 20 times fewer at 20 containers a node.
    run(() -> loads.putAll(byNode));
  }

  private ContainerLoad load(String nodeId, String containerId) {
    Map<String, ContainerLoad> ofNode = loads.get(nodeId);
    return ofNode == null ? null : ofNode.get(containerId);
  }

  @Override
  public void overload(String nodeId, String instanceId, String reason) {
    run(
        () -> {
          events.publish(
              EventKind.INSTANCE_OVERLOADED,
              "instance/" + instanceId,
              instanceId + " reports overload: " + reason,
              Map.of("node", nodeName(nodeId)));
          Instance instance = instances.get(instanceId);
          ServicePlan plan = instance == null ? null : plans.get(instance.service());
          if (plan == null || plan.scaling().isEmpty() || !plan.scaling().get().overload()) {
            return;
          }
          int current = desired.getOrDefault(plan.name(), plan.initial());
          apply(
              autoscaler.overload(
                  plan.name(),
                  plan.scaling().get(),
                  current,
                  plan.min(),
                  plan.max(),
                  instanceId,
                  reason,
                  clock.instant()),
              true);
        });
  }

  /** Puts an autoscaler decision in force, and says what it decided (or nearly did). */
  private void apply(ScalingDecision decision, boolean reconcileAfter) {
    if (decision.changes()) {
      state.submit(new StateCommand.SetScale(decision.service(), decision.desired()));
      desired.put(decision.service(), decision.desired());
      events.publish(
          EventKind.SERVICE_SCALED,
          "service/" + decision.service(),
          decision.message(),
          Map.of(
              "from", Integer.toString(decision.current()),
              "to", Integer.toString(decision.desired()),
              "by", "autoscaler"));
      if (reconcileAfter) {
        reconcileNow();
      }
    } else if (decision.reportable()) {
      events.publish(
          EventKind.SCALING_HELD,
          "service/" + decision.service(),
          decision.message(),
          decision.heldUntil().map(t -> Map.of("until", t.toString())).orElse(Map.of()));
    }
  }

  /** Runs the autoscaler for each service with a scaling policy, when its interval is due. */
  private void autoscale(Instant now) {
    for (ServicePlan plan : List.copyOf(plans.values())) {
      if (plan.scaling().isEmpty()) {
        continue;
      }
      int current = desired.getOrDefault(plan.name(), plan.initial());
      apply(
          autoscaler.evaluate(
              plan.name(),
              plan.scaling().get(),
              current,
              plan.min(),
              plan.max(),
              metrics(plan.name()),
              now),
          false);
    }
  }

  /**
   * The service's metrics averaged over its READY instances: {@code cpu} (percent of one core),
   * {@code heap} (percent of max) and every metric the service reports.
   */
  private Map<String, Double> metrics(String service) {
    Map<String, Double> sums = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (Instance i : instances.ofService(service)) {
      if (i.state() != InstanceState.READY) {
        continue;
      }
      ContainerLoad load = load(i.nodeId(), i.containerId());
      if (load == null) {
        continue;
      }
      add(sums, counts, "cpu", load.cpuPercent());
      if (load.heapMaxBytes() > 0) {
        add(sums, counts, "heap", 100.0 * load.heapUsedBytes() / load.heapMaxBytes());
      }
      load.serviceMetrics().forEach((name, value) -> add(sums, counts, name, value));
    }
    Map<String, Double> averages = new HashMap<>();
    sums.forEach((name, sum) -> averages.put(name, sum / counts.get(name)));
    return averages;
  }

  private static void add(
      Map<String, Double> sums, Map<String, Integer> counts, String name, double value) {
    if (Double.isFinite(value)) {
      sums.merge(name, value, Double::sum);
      counts.merge(name, 1, Integer::sum);
    }
  }

  @Override
  public void error(String nodeId, String instanceId, String error) {
    run(
        () -> {
          events.publish(
              EventKind.INSTANCE_ERROR,
              "instance/" + instanceId,
              instanceId + " reports an error: " + error,
              Map.of("node", nodeName(nodeId)));
          Instance instance = instances.get(instanceId);
          if (instance == null || !instance.nodeId().equals(nodeId) || !instance.state().isLive()) {
            return;
          }
          instance.lastError(error);
          ServicePlan plan = plans.get(instance.service());
          if (plan == null) {
            return;
          }
          RecoveryPolicy policy = plan.recovery();
          int count =
              errorWindows
                  .computeIfAbsent(instanceId, id -> new RecentTimes())
                  .add(clock.instant(), policy.errorWindow());
          if (count < policy.errorThreshold() || instance.leaving()) {
            return;
          }
          errorWindows.remove(instanceId);
          String why =
              count
                  + " errors within "
                  + Durations.format(policy.errorWindow())
                  + " (errorThreshold "
                  + policy.errorThreshold()
                  + "), the last: "
                  + error;
          switch (policy.onErrors()) {
            case RESTART -> replace(instance, false, why);
            case REPLACE -> replace(instance, true, why);
            case UNHEALTHY -> {
              markUnhealthy(nodeId, instanceId + " reported " + why);
              replace(instance, true, why);
            }
          }
          queueReconcile();
        });
  }

  /**
   * Make-before-break: a new instance is placed (on another node when {@code elsewhere}); the old
   * one stops only once the new one is ready.
   */
  private void replace(Instance old, boolean elsewhere, String why) {
    ServicePlan plan = plans.get(old.service());
    if (plan == null || old.leaving()) {
      return;
    }
    Instance replacement = newInstance(plan, clock.instant());
    replacement.replacing(old.id());
    if (elsewhere) {
      replacement.avoidNode(old.nodeId());
    }
    replacement.pending("replacing " + old.id() + " of node " + nodeName(old.nodeId()));
    instances.put(replacement);
    old.leaving(true);
    events.publish(
        EventKind.INSTANCE_REPLACING,
        "instance/" + old.id(),
        old.id()
            + " on "
            + nodeName(old.nodeId())
            + " is replaced by "
            + replacement.id()
            + (elsewhere ? " on another node" : "")
            + ", which starts first: "
            + why,
        Map.of("node", nodeName(old.nodeId()), "replacement", replacement.id()));
  }

  /** Replacements outside drains: the old instance stops once its replacement is ready. */
  private void progressReplacements() {
    for (Instance old : instances.leaving()) {
      if (drains.containsKey(old.nodeId())) {
        continue;
      }
      if (!old.state().isLive()) {
        old.leaving(false);
        continue;
      }
      Instance replacement = replacementOf(old);
      if (replacement == null || replacement.state() == InstanceState.FAILED) {
        old.leaving(false); // its replacement failed: the next trigger tries again
      } else if (replacement.state() == InstanceState.READY) {
        old.leaving(false);
        stop(old, "replaced by " + replacement.id() + " on " + nodeName(replacement.nodeId()));
      }
    }
  }

  /** The error policy found the node failing: it takes no new instances until uncordoned. */
  private void markUnhealthy(String nodeId, String why) {
    state.submit(new StateCommand.Cordon(nodeId));
    if (nodes.cordon(nodeId, true)) {
      events.publish(
          EventKind.NODE_UNHEALTHY,
          "node/" + nodeName(nodeId),
          "node "
              + nodeName(nodeId)
              + " is marked unhealthy and takes no new instances ("
              + why
              + "); drover uncordon "
              + nodeName(nodeId)
              + " takes the mark away",
          Map.of());
    }
  }

  // ---- views ----

  public CompletableFuture<List<ServiceStatusView>> services() {
    return call(() -> plans.values().stream().map(this::status).toList());
  }

  public CompletableFuture<List<InstanceView>> instances(String service, String nodeId) {
    return call(
        () ->
            instances.values().stream()
                .filter(i -> service.isEmpty() || i.service().equals(service))
                .filter(i -> nodeId.isEmpty() || i.nodeId().equals(nodeId))
                .map(Instance::view)
                .toList());
  }

  /** Containers with their latest load. */
  public CompletableFuture<List<Map.Entry<ContainerView, ContainerLoad>>> containers(
      String nodeId) {
    return call(
        () ->
            containers.entrySet().stream()
                .filter(e -> nodeId.isEmpty() || e.getKey().equals(nodeId))
                .flatMap(
                    e ->
                        e.getValue().all().values().stream()
                            .map(
                                c -> {
                                  ContainerLoad load = load(e.getKey(), c.id());
                                  return Map.entry(c, load == null ? ContainerLoad.NONE : load);
                                }))
                .toList());
  }

  public CompletableFuture<Map<String, Integer>> freePorts() {
    return call(
        () -> {
          Map<String, Integer> free = new LinkedHashMap<>();
          Instant now = clock.instant();
          pools.forEach((node, pool) -> free.put(node, pool.freeCount(now)));
          return free;
        });
  }

  // ---- the reconcile pass ----

  private void queueReconcile() {
    if (!reconcileQueued) {
      reconcileQueued = true;
      long spacing = Math.min(MAX_PASS_SPACING.toNanos(), 4 * lastPassNanos);
      long waitNanos = lastPassEndedNanos + spacing - System.nanoTime();
      if (waitNanos <= 0) {
        run(this::reconcile);
      } else {
        loop.schedule(Duration.ofMillis(1 + waitNanos / 1_000_000), this::reconcile);
      }
    }
  }

  private void reconcileNow() {
    reconcile();
  }

  /** Called with the length of every reconcile pass, in nanoseconds (metrics). */
  public void onReconcile(java.util.function.LongConsumer listener) {
    this.reconcileListener = listener;
  }

  private volatile java.util.function.LongConsumer reconcileListener = nanos -> {};

  private volatile EndpointBook endpointBook;

  /**
   * Publishes the READY endpoints of every service to {@code book} at the end of every pass. Every
   * input that changes an instance's state is followed by a pass, so the book hears of an instance
   * that turns READY, and of one that starts to drain, before anything else happens to it.
   */
  public void publishEndpointsTo(EndpointBook book) {
    // On the loop, behind the catalog that the controller put in force just before: the book's
    // first set must know the catalog's services.
    run(
        () -> {
          endpointBook = book;
          queueReconcile();
        });
  }

  /**
   * The endpoints last published for a service, and the table's READY version they were made at.
   */
  private record PublishedEndpoints(long readyVersion, List<Endpoint> endpoints) {}

  private final Map<String, PublishedEndpoints> published = new HashMap<>();

  /** What the nodes' names and addresses were when {@link #published} was made. */
  private long publishedNodesPrint;

  /**
   * Publishes the READY endpoints of every service. Each pass runs it, so it rebuilds only the
   * services whose READY instances changed since (the table counts their changes), or every one
   * when a node's name or address changed: building every endpoint in every pass was the largest
   * part of a pass in a placement burst, and looking at every instance to tell which changed was
   * the next.
   */
  private void publishEndpoints(boolean settled) {
    EndpointBook book = endpointBook;
    if (book == null) {
      return;
    }
    long nodesPrint = 0;
    for (Node node : passNodes()) {
      nodesPrint +=
          mix(
              31L * (31L * node.id().hashCode() + node.name().hashCode())
                  + node.address().hashCode());
    }
    if (nodesPrint != publishedNodesPrint) {
      publishedNodesPrint = nodesPrint;
      published.clear();
    }
    Map<String, List<Endpoint>> byService = new HashMap<>();
    for (String service : instances.services()) {
      long version = instances.readyVersion(service);
      PublishedEndpoints last = published.get(service);
      if (last == null || last.readyVersion() != version) {
        last = new PublishedEndpoints(version, endpointsOf(service));
        published.put(service, last);
      }
      if (!last.endpoints().isEmpty()) {
        byService.put(service, last.endpoints());
      }
    }
    published.keySet().retainAll(instances.services());
    book.publish(byService, Set.copyOf(plans.keySet()), settled);
  }

  private List<Endpoint> endpointsOf(String service) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (Instance instance : instances.ofService(service)) {
      if (instance.state() == InstanceState.READY) {
        endpoints.add(
            new Endpoint(
                instance.id(),
                instance.nodeId(),
                nodeName(instance.nodeId()),
                address(instance.nodeId()),
                instance.ports(),
                "",
                Map.of()));
      }
    }
    endpoints.sort(Comparator.comparing(Endpoint::instanceId));
    return List.copyOf(endpoints);
  }

  /** MurmurHash3's finalizer: spreads a hash over 64 bits, so that sums of them rarely collide. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private void reconcile() {
    long started = System.nanoTime();
    reconcileQueued = false;
    passWaitingNodes = null;
    passNodes = null;
    inPass = true;
    noRoom.clear();
    boolean settled = false;
    try {
      Instant now = clock.instant();
      if (held(now)) {
        return;
      }
      settled = true;
      releaseWaitsOnUnfitNodes();
      for (String service : List.copyOf(instances.services())) {
        if (!plans.containsKey(service)) {
          for (Instance orphan : List.copyOf(instances.ofService(service))) {
            if (orphan.state().isLive()) {
              stop(orphan, "its service left the catalog");
            }
          }
        }
      }
      progressDrains(now);
      progressReplacements();
      autoscale(now);
      for (ServicePlan plan : plans.values()) {
        converge(plan, now);
      }
      syncWarmPools();
      if (fleet != null) {
        expand(now);
        releaseIdleServers(now);
        fleet.releaseLate(now);
      }
      if (now.isAfter(lastTrim.plus(TICK))) {
        // Once a second is enough for a listing's history; every instance is looked at.
        lastTrim = now;
        trimHistory();
      }
    } catch (RuntimeException e) {
      log.error("reconcile pass failed", e);
    } finally {
      try {
        publishEndpoints(settled);
      } catch (RuntimeException e) {
        log.error("publishing endpoints failed", e);
      }
      sendStarts();
      inPass = false;
      passNodes = null;
      lastPassEndedNanos = System.nanoTime();
      lastPassNanos = lastPassEndedNanos - started;
      reconcileListener.accept(lastPassNanos);
    }
  }

  private void converge(ServicePlan plan, Instant now) {
    // An instance a drain is replacing no longer counts: its replacement does. Counted by the
    // table as instances change: only a scale-down needs them listed.
    int liveCount = instances.counted(plan.name());
    int want = desired.getOrDefault(plan.name(), plan.initial());
    if (liveCount < want) {
      reserveInstanceNumbers(plan.name(), want - liveCount);
    }
    for (int i = liveCount; i < want; i++) {
      instances.put(newInstance(plan, now));
    }
    if (liveCount > want) {
      List<Instance> live =
          instances.ofService(plan.name()).stream()
              .filter(i -> i.state().isLive() && !i.leaving())
              .toList();
      Map<String, Long> perNode = instancesPerNode();
      // Victims: those not placed first; then those on the emptiest nodes, so that nodes empty
      // out and can be released; then the newest.
      live.stream()
          .sorted(
              Comparator.comparing((Instance i) -> i.state() != InstanceState.PENDING)
                  .thenComparing(i -> perNode.getOrDefault(i.nodeId(), 0L))
                  .thenComparing(Instance::createdAt, Comparator.reverseOrder()))
          .limit(live.size() - want)
          .forEach(victim -> stop(victim, "scaled down to " + want));
    }
    Instant held = placementHeldUntil.get(plan.name());
    if (held != null && now.isBefore(held)) {
      return;
    }
    // One waiting for a spare starting for it takes that spare when it is IDLE (handOff).
    List<Instance> pending = instances.placeable(plan.name());
    if (pending.isEmpty()) {
      return;
    }
    // One view of the nodes for the whole round; each placement puts back the node it changed.
    Map<String, Node> byId = new HashMap<>();
    List<Placement.Candidate> candidates = new ArrayList<>();
    for (Node node : passNodes()) {
      byId.put(node.id(), node);
      Placement.Candidate c = candidate(node, plan);
      if (c != null) {
        candidates.add(c);
      }
    }
    Placement.Round round = new Placement.Round(plan, candidates);
    for (Instance instance : pending) {
      if (instance.state() != InstanceState.PENDING) {
        continue;
      }
      // A pending instance may still name the node of an earlier try; it counts where it lands.
      String before = instance.nodeId();
      String changed = place(plan, instance, now, round);
      if (!before.isEmpty() && !before.equals(changed)) {
        refresh(round, byId.get(before), plan);
      }
      if (changed != null) {
        refresh(round, byId.get(changed), plan);
      }
    }
  }

  /** Puts back the node's candidate, made from the state as it is now. */
  private void refresh(Placement.Round round, Node node, ServicePlan plan) {
    if (node == null) {
      return;
    }
    Placement.Candidate fresh = candidate(node, plan);
    if (fresh == null) {
      round.remove(node.id());
    } else {
      round.put(fresh);
    }
  }

  /**
   * The third step of the expansion order: when no node has room, a new server from the provider.
   * One server at a time; the instances wait, saying for which server.
   */
  private void expand(Instant now) {
    if (noRoom.isEmpty() || !fleet.canProvision()) {
      return;
    }
    String why;
    if (fleet.busy()) {
      why =
          "no node has room; waiting for server "
              + String.join(", ", fleet.waitingFor())
              + " to join";
    } else if (!fleet.mayProvision(now)) {
      why =
          "no node has room, and the "
              + fleet.kind()
              + " provider failed; it is asked again later (see PROVIDER_ERROR events)";
    } else {
      int memory = 0;
      int cpu = 0;
      Set<String> services = new java.util.TreeSet<>();
      for (Instance i : noRoom) {
        ServicePlan plan = plans.get(i.service());
        memory += plan.memoryMb();
        cpu += plan.cpuMillis();
        services.add(i.service());
      }
      fleet.provision(
          1, memory, cpu, noRoom.size() + " instance(s) of " + services + " have no room");
      why = "no node has room; asked the " + fleet.kind() + " provider for a server";
    }
    for (Instance instance : noRoom) {
      pendingBecause(instance, why);
    }
  }

  /** Servers of the provider that have run nothing for the idle TTL are released. */
  private void releaseIdleServers(Instant now) {
    for (Node node : passNodes()) {
      if (node.state() != NodeState.READY
          || !fleet.releasable(node.name())
          || drains.containsKey(node.id())) {
        idleSince.remove(node.id());
        continue;
      }
      boolean busy =
          instances.onNode(node.id()).stream()
              .anyMatch(
                  i ->
                      (i.state().isLive()
                          || i.state() == InstanceState.DRAINING
                          || i.state() == InstanceState.STOPPING));
      if (busy) {
        idleSince.remove(node.id());
        continue;
      }
      Instant since = idleSince.computeIfAbsent(node.id(), id -> now);
      if (!now.isBefore(since.plus(idleServerTtl))) {
        idleSince.remove(node.id());
        fleet.release(node.name(), "it ran nothing for " + idleServerTtl.toSeconds() + " s");
      }
    }
  }

  private List<Instance> liveOn(String nodeId) {
    return instances.onNode(nodeId).stream().filter(i -> i.state().isLive()).toList();
  }

  private void progressDrains(Instant now) {
    for (Map.Entry<String, Drain> entry : List.copyOf(drains.entrySet())) {
      String nodeId = entry.getKey();
      Drain drain = entry.getValue();
      List<Instance> left = liveOn(nodeId);
      boolean stopping =
          instances.onNode(nodeId).stream()
              .anyMatch(
                  i -> i.state() == InstanceState.DRAINING || i.state() == InstanceState.STOPPING);
      if (left.isEmpty() && !stopping) {
        state.submit(new StateCommand.EndDrain(nodeId));
        drains.remove(nodeId);
        drainWaits.remove(nodeId);
        events.publish(
            EventKind.NODE_DRAINED,
            "node/" + nodeName(nodeId),
            "node "
                + nodeName(nodeId)
                + " is drained: it runs no instance ("
                + Duration.between(drain.startedAt(), now).toSeconds()
                + " s)",
            Map.of());
        if (fleet != null && fleet.releasable(nodeName(nodeId))) {
          fleet.release(nodeName(nodeId), "it was drained");
        }
        continue;
      }
      if (drain.deadline().isPresent() && now.isAfter(drain.deadline().get())) {
        left = stopPastDeadline(nodeId, left);
      }
      int inFlight = 0;
      for (Instance old : left) {
        if (!old.leaving()) {
          continue;
        }
        Instance replacement = replacementOf(old);
        if (replacement != null && replacement.state() == InstanceState.PENDING) {
          String why =
              "drain of node "
                  + nodeName(nodeId)
                  + " waits: "
                  + replacement.id()
                  + " (for "
                  + old.id()
                  + ") is pending: "
                  + replacement.reason();
          if (!why.equals(drainWaits.put(nodeId, why))) {
            events.publish(EventKind.NODE_DRAINING, "node/" + nodeName(nodeId), why, Map.of());
          }
        }
        if (replacement == null || replacement.state() == InstanceState.FAILED) {
          old.leaving(false); // its replacement failed: try again
        } else if (replacement.state() == InstanceState.READY) {
          old.leaving(false);
          stop(
              old,
              "replaced by "
                  + replacement.id()
                  + " on "
                  + nodeName(replacement.nodeId())
                  + " (drain of "
                  + nodeName(nodeId)
                  + ")");
        } else {
          inFlight++;
        }
      }
      for (Instance old : left) {
        if (inFlight >= drain.maxParallel()) {
          break;
        }
        // Skips those stopped above in this pass: a DRAINING one waits out its grace period.
        if (old.leaving() || !old.state().isLive() || !plans.containsKey(old.service())) {
          continue;
        }
        if (old.state() != InstanceState.READY) {
          stop(old, "node " + nodeName(nodeId) + " is draining and it was not ready yet");
          continue;
        }
        Instance replacement = newInstance(plans.get(old.service()), now);
        replacement.replacing(old.id());
        replacement.pending("replacing " + old.id() + " of draining node " + nodeName(nodeId));
        instances.put(replacement);
        old.leaving(true);
        inFlight++;
      }
    }
  }

  /**
   * Past its deadline a drain stops what is left on the node without waiting for replacements, but
   * never takes a service below its minimum of READY instances: those it keeps go on migrating, and
   * an event says why they are still there.
   *
   * @return the instances still left on the node
   */
  private List<Instance> stopPastDeadline(String nodeId, List<Instance> left) {
    Map<String, Integer> ready = new HashMap<>();
    List<Instance> kept = new ArrayList<>();
    for (Instance instance : left) {
      ServicePlan plan = plans.get(instance.service());
      int readyNow =
          ready.computeIfAbsent(
              instance.service(),
              service ->
                  (int)
                      instances.ofService(service).stream()
                          .filter(i -> i.state() == InstanceState.READY)
                          .count());
      boolean keepsMinimum =
          plan == null || instance.state() != InstanceState.READY || readyNow - 1 >= plan.min();
      if (keepsMinimum) {
        if (instance.state() == InstanceState.READY) {
          ready.put(instance.service(), readyNow - 1);
        }
        instance.leaving(false);
        stop(instance, "the drain of node " + nodeName(nodeId) + " passed its deadline");
      } else {
        kept.add(instance);
        String why =
            "drain of node "
                + nodeName(nodeId)
                + " passed its deadline but keeps "
                + instance.id()
                + " until its replacement is ready: stopping it now would leave "
                + instance.service()
                + " with "
                + (readyNow - 1)
                + " ready instances, below its minimum of "
                + plan.min();
        if (!why.equals(drainWaits.put(nodeId, why))) {
          events.publish(EventKind.NODE_DRAINING, "node/" + nodeName(nodeId), why, Map.of());
        }
      }
    }
    return kept;
  }

  private Instance replacementOf(Instance old) {
    for (Instance i : instances.replacementsOf(old.id())) {
      if (i.state() != InstanceState.STOPPED) {
        return i;
      }
    }
    return null;
  }

  private Instance newInstance(ServicePlan plan, Instant now) {
    int number = nextInstanceNumber(plan.name());
    String id = plan.name() + "-" + number;
    Instance created = new Instance(id, plan.name(), now);
    created.pending("waiting for placement");
    return created;
  }

  /**
   * The next instance number of the service. Numbers are reserved in the state a block at a time,
   * so that a restarted controller never hands one out twice, without an fsync per instance.
   */
  private int nextInstanceNumber(String service) {
    reserveInstanceNumbers(service, 1);
    return instanceCounters.merge(service, 1, (last, one) -> last + 1);
  }

  /**
   * Makes sure the next {@code count} numbers of the service are reserved in the state, with one
   * fsync for however many a scale-up needs instead of one per block.
   */
  private void reserveInstanceNumbers(String service, int count) {
    int reserved = state.read(s -> s.lastInstanceNumber(service));
    // After a restart numbering goes on past everything reserved before: which of those were used
    // is not known.
    int last = instanceCounters.computeIfAbsent(service, s -> reserved);
    if (last + count > reserved) {
      state.submit(
          new StateCommand.ReserveInstanceNumbers(
              service, last + count + INSTANCE_NUMBER_BLOCK - 1));
    }
  }

  /** Live instances per node, of every service. */
  private Map<String, Long> instancesPerNode() {
    Map<String, Long> perNode = new HashMap<>();
    for (Instance i : instances.values()) {
      if (i.state().isLive() && !i.nodeId().isEmpty()) {
        perNode.merge(i.nodeId(), 1L, Long::sum);
      }
    }
    return perNode;
  }

  /**
   * Places one pending instance on one of {@code candidates}.
   *
   * @return the node whose candidate the decision changed (a container reserved or asked for, the
   *     instance placed there), or null
   */
  private String place(ServicePlan plan, Instance instance, Instant now, Placement.Round round) {
    Placement.Decision decision = round.place(instance.avoidNode());
    if (decision instanceof Placement.Decision.Warm warm) {
      assignWarm(plan, instance, warm.nodeId(), warm.containerId(), now);
      return warm.nodeId();
    } else if (decision instanceof Placement.Decision.Cold cold) {
      startCold(plan, instance, cold.nodeId(), now);
      return cold.nodeId();
    } else if (decision instanceof Placement.Decision.StartContainer start) {
      sparesRequested.merge(start.nodeId(), 1, Integer::sum);
      startsToSend
          .computeIfAbsent(start.nodeId(), n -> new LinkedHashMap<>())
          .merge(plan.profile(), 1, Integer::sum);
      spareWaits.await(instance, start.nodeId(), plan.profile());
      pendingBecause(
          instance,
          "starting a container of profile "
              + plan.profile().name()
              + " on node "
              + nodeName(start.nodeId()));
      return start.nodeId();
    } else if (decision instanceof Placement.Decision.AwaitContainer await) {
      spareWaits.await(instance, await.nodeId(), plan.profile());
      pendingBecause(
          instance, "waiting for a container to start on node " + nodeName(await.nodeId()));
      return await.nodeId();
    } else if (decision instanceof Placement.Decision.NoRoom none) {
      if (passWaitingNodes == null) {
        passWaitingNodes = List.of(unmeasuredNodes(), awayNodes());
      }
      List<String> unmeasured = passWaitingNodes.get(0);
      List<String> away = passWaitingNodes.get(1);
      if (!unmeasured.isEmpty()) {
        // A node that just joined has not sent its load yet: it may well have room.
        pendingBecause(
            instance, "waiting for the first telemetry of node " + String.join(", ", unmeasured));
      } else if (!away.isEmpty()) {
        // An agent that restarts or loses its link for a moment must not buy a server: it is
        // either back, or declared lost, within lostAfter.
        pendingBecause(
            instance,
            none.reason()
                + "; waiting for node "
                + String.join(", ", away)
                + " to come back or be declared lost before asking for a server");
      } else {
        noRoom.add(instance);
        pendingBecause(instance, none.reason());
      }
    }
    return null;
  }

  /**
   * A spare turned IDLE: the instance that waited longest for one of its profile on the node takes
   * it now, rather than at the next pass.
   */
  private void handOff(String nodeId, ContainerView spare, Instant now) {
    if (spareWaits.count(nodeId, spare.profile()) == 0) {
      return;
    }
    Node node = nodes.get(nodeId).orElse(null);
    if (node == null || node.state() != NodeState.READY || node.cordoned()) {
      // It takes nothing now; those that waited are placed again by the next pass.
      spareWaits.releaseNode(nodeId);
      return;
    }
    Instance next = spareWaits.next(nodeId, spare.profile());
    while (next != null && next.state() != InstanceState.PENDING) {
      next = spareWaits.next(nodeId, spare.profile());
    }
    ServicePlan plan = next == null ? null : plans.get(next.service());
    if (plan != null) {
      assignWarm(plan, next, nodeId, spare.id(), now);
    }
  }

  /**
   * No more instances wait on the node than spares of the profile are starting there or asked for:
   * those a failed start or an ended spare left without one are placed again.
   */
  private void settleWaits(String nodeId, JvmProfile profile) {
    ContainerTable table = containers.get(nodeId);
    int coming =
        (table == null ? 0 : table.starting(profile)) + sparesRequested.getOrDefault(nodeId, 0);
    int excess = spareWaits.count(nodeId, profile) - coming;
    if (excess > 0) {
      spareWaits.release(nodeId, profile, excess);
      queueReconcile();
    }
  }

  /** Waits on nodes that take nothing now (cordoned, disconnected, lost, gone) end. */
  private void releaseWaitsOnUnfitNodes() {
    Set<String> waitedOn = spareWaits.nodes();
    if (waitedOn.isEmpty()) {
      return;
    }
    // The pass's view of the nodes: a snapshot per node with waits cost more than the rest of it.
    Map<String, Node> byId = new HashMap<>();
    for (Node node : passNodes()) {
      byId.put(node.id(), node);
    }
    for (String nodeId : waitedOn) {
      Node node = byId.get(nodeId);
      if (node == null || !node.state().connected() || node.cordoned()) {
        spareWaits.releaseNode(nodeId);
      }
    }
  }

  private void holdStarts(String nodeId, JvmProfile profile, int count, String error) {
    Duration delay =
        startBackoff
            .computeIfAbsent(
                nodeId, n -> Backoff.withJitter(Duration.ofSeconds(1), Duration.ofSeconds(60)))
            .nextDelay();
    startsHeldUntil.put(nodeId, clock.instant().plus(delay));
    events.publish(
        EventKind.CONTAINER_START_FAILED,
        "node/" + nodeName(nodeId),
        String.format(
            Locale.ROOT,
            "node %s could not start %d container(s) of profile %s: %s; placement leaves it out"
                + " for %.1f s",
            nodeName(nodeId),
            count,
            profile.name(),
            error,
            delay.toMillis() / 1000.0),
        Map.of("node", nodeName(nodeId), "profile", profile.name()));
  }

  private boolean startsHeld(String nodeId) {
    if (startsHeldUntil.isEmpty()) {
      return false;
    }
    Instant until = startsHeldUntil.get(nodeId);
    if (until == null) {
      return false;
    }
    if (clock.instant().isBefore(until)) {
      return true;
    }
    startsHeldUntil.remove(nodeId);
    return false;
  }

  /** Sends the containers this pass decided to start: one command per node and profile. */
  private void sendStarts() {
    startsToSend.forEach(
        (nodeId, byProfile) ->
            byProfile.forEach(
                (profile, count) ->
                    nodes
                        .send(
                            nodeId,
                            new AgentCommand.StartContainers(profile, count, Optional.empty()))
                        .thenAccept(
                            outcome ->
                                run(
                                    () -> {
                                      sparesRequested.computeIfPresent(
                                          nodeId, (k, v) -> v > count ? v - count : null);
                                      if (outcome.ok()) {
                                        startBackoff.remove(nodeId);
                                      } else {
                                        holdStarts(nodeId, profile, count, outcome.error());
                                      }
                                      settleWaits(nodeId, profile);
                                      queueReconcile();
                                    }))));
    startsToSend.clear();
  }

  private void assignWarm(
      ServicePlan plan, Instance instance, String nodeId, String containerId, Instant now) {
    Map<String, Integer> ports;
    try {
      ports = allocatePorts(plan, nodeId, now);
    } catch (ResourceExhaustedException e) {
      portsExhausted.put(instance.id(), e.getMessage());
      pendingBecause(instance, e.getMessage());
      return;
    }
    portsExhausted.remove(instance.id());
    spareWaits.forget(instance);
    instance.placed(nodeId, containerId, ports, now);
    owns(instance);
    reserved.put(containerId, instance.id());
    ContainerTable table = containers.get(nodeId);
    if (table != null) {
      table.reserve(containerId);
    }
    events.publish(
        EventKind.INSTANCE_PLACED,
        "instance/" + instance.id(),
        instance.id()
            + " on "
            + nodeName(nodeId)
            + ": warm container "
            + containerId
            + ", ports "
            + ports,
        Map.of("node", nodeName(nodeId), "container", containerId, "mode", "warm"));
    Assignment assignment = assignment(plan, instance.id(), ports);
    nodes
        .send(nodeId, new AgentCommand.AssignService(containerId, assignment))
        .thenAccept(
            outcome -> run(() -> assignmentAnswered(instance, nodeId, containerId, outcome)));
  }

  private void startCold(ServicePlan plan, Instance instance, String nodeId, Instant now) {
    Map<String, Integer> ports;
    try {
      ports = allocatePorts(plan, nodeId, now);
    } catch (ResourceExhaustedException e) {
      portsExhausted.put(instance.id(), e.getMessage());
      pendingBecause(instance, e.getMessage());
      return;
    }
    portsExhausted.remove(instance.id());
    spareWaits.forget(instance);
    instance.placed(nodeId, "", ports, now);
    events.publish(
        EventKind.INSTANCE_PLACED,
        "instance/" + instance.id(),
        instance.id() + " on " + nodeName(nodeId) + ": new cold container, ports " + ports,
        Map.of("node", nodeName(nodeId), "mode", "cold"));
    Assignment assignment = assignment(plan, instance.id(), ports);
    nodes
        .send(nodeId, new AgentCommand.StartContainers(plan.profile(), 1, Optional.of(assignment)))
        .thenAccept(
            outcome ->
                run(
                    () -> {
                      if (outcome.ok() && !outcome.containerIds().isEmpty()) {
                        if (instance.state() == InstanceState.STARTING
                            && instance.containerId().isEmpty()) {
                          instance.container(outcome.containerIds().get(0));
                          owns(instance);
                        }
                      } else {
                        assignmentAnswered(instance, nodeId, "", outcome);
                      }
                    }));
  }

  /** The agent's answer to an assignment or a cold start. */
  private void assignmentAnswered(
      Instance instance, String nodeId, String containerId, CommandOutcome outcome) {
    if (!containerId.isEmpty()) {
      reserved.remove(containerId);
      ContainerTable table = containers.get(nodeId);
      if (table != null) {
        table.unreserve(containerId);
      }
    }
    if (outcome.ok()) {
      return;
    }
    if (!instance.nodeId().equals(nodeId) || instance.state() != InstanceState.STARTING) {
      return; // stopped or moved meanwhile
    }
    PortPool pool = pools.get(nodeId);
    Instant now = clock.instant();
    if (!outcome.busyPorts().isEmpty()) {
      for (int port : instance.ports().values()) {
        if (pool != null) {
          if (outcome.busyPorts().contains(port)) {
            pool.markForeign(port, now);
          } else {
            pool.release(port, now);
          }
        }
      }
      events.publish(
          EventKind.PORTS_BUSY,
          "node/" + nodeName(nodeId),
          "node "
              + nodeName(nodeId)
              + ": ports "
              + outcome.busyPorts()
              + " are taken by another process (bind test); "
              + instance.id()
              + " gets others",
          Map.of("ports", outcome.busyPorts().toString()));
      instance.pending("its ports were taken on node " + nodeName(nodeId) + "; placing again");
      queueReconcile();
      return;
    }
    releasePorts(instance, now);
    instance.failed(outcome.error());
    events.publish(
        EventKind.INSTANCE_FAILED,
        "instance/" + instance.id(),
        instance.id() + " failed on " + nodeName(nodeId) + ": " + outcome.error(),
        Map.of("node", nodeName(nodeId)));
    holdPlacement(instance.service(), now);
    queueReconcile();
  }

  private void onContainer(String nodeId, ContainerView container) {
    ContainerTable table = containers.computeIfAbsent(nodeId, n -> new ContainerTable());
    ContainerView before = table.all().get(container.id());
    if (container.status().isTerminal()) {
      table.remove(container.id());
      // Its load leaves the node's loads with the node's next sample.
    } else {
      // The table's view: its id string is the one the table keys by, held once.
      container = table.put(container);
    }
    Instant now = clock.instant();
    if (container.instanceId().isEmpty() && !reserved.containsKey(container.id())) {
      if (container.status() == ContainerStatus.IDLE) {
        handOff(nodeId, container, now);
      } else if (container.status().isTerminal()
          && before != null
          && before.status() == ContainerStatus.STARTING) {
        settleWaits(nodeId, container.profile());
      }
    }
    if (isFenced(nodeId, container.instanceId())) {
      if (container.status().isTerminal()) {
        unfence(nodeId, container.instanceId());
        log.info("fenced instance {} stopped on node {}", container.instanceId(), nodeName(nodeId));
      }
      queueReconcile();
      return;
    }
    Instance instance = instanceOf(container);
    if (instance == null) {
      adopt(nodeId, container);
      queueReconcile();
      return;
    }
    if (instance.containerId().isEmpty()
        && instance.state().isLive()
        && instance.nodeId().equals(nodeId)
        && container.instanceId().equals(instance.id())
        && !container.status().isTerminal()) {
      // A cold start's container may report before the command's result names it; without this
      // the instance never learned its container, and stopping it left the container running.
      instance.container(container.id());
      owns(instance);
    }
    if (instance.state() == InstanceState.RESTARTING
        && instance.nodeId().equals(nodeId)
        && !container.status().isTerminal()
        && !container.id().equals(instance.containerId())) {
      instance.restarted(container.id(), container.restarts().count());
      owns(instance);
    }
    if ((instance.state() == InstanceState.STOPPED || instance.state() == InstanceState.FAILED)
        && !container.status().isTerminal()
        && container.status() != ContainerStatus.STOPPING) {
      // Restarted by its agent after it was given up here: it must not serve.
      nodes.send(
          nodeId,
          new AgentCommand.StopContainer(
              container.id(), graceOf(instance.service()), instance.id() + " was stopped"));
      queueReconcile();
      return;
    }
    switch (container.status()) {
      case RUNNING -> {
        if (instance.state() == InstanceState.STARTING) {
          instance.ready(container.pid(), now);
          failureBackoff.remove(instance.service());
          placementHeldUntil.remove(instance.service());
          long ms = instance.placedAt().map(p -> Duration.between(p, now).toMillis()).orElse(0L);
          events.publish(
              EventKind.INSTANCE_READY,
              "instance/" + instance.id(),
              instance.id()
                  + " ready on "
                  + nodeName(nodeId)
                  + " at "
                  + address(nodeId)
                  + ":"
                  + firstPort(instance)
                  + " ("
                  + ms
                  + " ms after placement)",
              Map.of("node", nodeName(nodeId), "startMs", Long.toString(ms)));
        }
      }
      case EXITED, FAILED -> {
        if (container.restartPending()
            && instance.state().isLive()
            && instance.nodeId().equals(nodeId)
            && container.id().equals(instance.containerId())) {
          restarting(instance, container);
          break;
        }
        if (!container.id().equals(instance.containerId())) {
          break; // an earlier container of an instance its agent restarted
        }
        releasePorts(instance, now);
        if (instance.state() == InstanceState.STOPPING) {
          instance.stopped();
          events.publish(
              EventKind.INSTANCE_STOPPED,
              "instance/" + instance.id(),
              instance.id() + " stopped on " + nodeName(nodeId),
              Map.of("node", nodeName(nodeId)));
        } else if (instance.state().isLive()) {
          fail(
              instance,
              "its container "
                  + (container.status() == ContainerStatus.FAILED ? "failed" : "exited")
                  + ": "
                  + container.reason());
        }
      }
      default -> {}
    }
    queueReconcile();
  }

  /**
   * The instance crashed and its agent restarts it in place after a backoff: it keeps its node and
   * ports, and stays counted, so that no replacement races the restart.
   */
  private void restarting(Instance instance, ContainerView container) {
    Instant at = container.restarts().restartAt().orElseThrow();
    String why =
        "crashed ("
            + (container.reason().isEmpty()
                ? "exit code " + container.exitCode()
                : container.reason())
            + ")";
    instance.restarting(container.restarts().count(), at, why);
    ServicePlan plan = plans.get(instance.service());
    if (plan != null) {
      RecoveryPolicy policy = plan.recovery();
      int crashes =
          crashWindows
              .computeIfAbsent(instance.id(), id -> new RecentTimes())
              .add(clock.instant(), policy.crashWindow());
      if (crashes >= policy.crashThreshold() && !instance.leaving()) {
        crashWindows.remove(instance.id());
        replace(
            instance,
            true,
            crashes
                + " crashes within "
                + Durations.format(policy.crashWindow())
                + " (crashThreshold "
                + policy.crashThreshold()
                + ")");
      }
    }
    long inMs = Math.max(0, Duration.between(clock.instant(), at).toMillis());
    events.publish(
        EventKind.INSTANCE_RESTARTING,
        "instance/" + instance.id(),
        String.format(
            Locale.ROOT,
            "%s %s on %s; restarted in place in %.1f s (restart %d)",
            instance.id(),
            why,
            nodeName(instance.nodeId()),
            inMs / 1000.0,
            container.restarts().count() + 1),
        Map.of(
            "node",
            nodeName(instance.nodeId()),
            "restarts",
            Integer.toString(container.restarts().count()),
            "backoffMs",
            Long.toString(inMs)));
  }

  /** A container runs an instance this controller does not know: take it in as it is. */
  private void adopt(String nodeId, ContainerView container) {
    if (container.instanceId().isEmpty()
        || instances.containsKey(container.instanceId())
        || container.status().isTerminal()
        || isFenced(nodeId, container.instanceId())) {
      return;
    }
    Instance adopted = new Instance(container.instanceId(), container.service(), clock.instant());
    adopted.placed(nodeId, container.id(), container.ports(), clock.instant());
    owns(adopted);
    if (container.status() == ContainerStatus.RUNNING) {
      adopted.ready(container.pid(), clock.instant());
    }
    instances.put(adopted);
    PortPool pool = pools.get(nodeId);
    if (pool != null) {
      container.ports().values().forEach(pool::claim);
    }
    int number = parseNumber(container.service(), container.instanceId());
    instanceCounters.merge(container.service(), number, Math::max);
    if (number > state.read(s -> s.lastInstanceNumber(container.service()))) {
      state.submit(new StateCommand.ReserveInstanceNumbers(container.service(), number));
    }
    log.info(
        "adopted instance {} running in container {} on node {}",
        adopted.id(),
        container.id(),
        nodeName(nodeId));
  }

  /**
   * Stops an instance gracefully: out of discovery first (DRAINING) for the service's grace period,
   * so that callers stop sending to it, then its container is released. An instance that never was
   * ready stops at once.
   */
  private void stop(Instance instance, String why) {
    if (instance.state() == InstanceState.DRAINING) {
      return; // already out of discovery; its grace period ends in a release
    }
    if (instance.state() == InstanceState.PENDING) {
      spareWaits.forget(instance);
      instances.remove(instance.id());
      portsExhausted.remove(instance.id());
      return;
    }
    ServicePlan plan = plans.get(instance.service());
    Duration grace = plan == null ? Duration.ofSeconds(10) : plan.gracePeriod();
    if (instance.state() == InstanceState.RESTARTING) {
      // Nothing runs: cancelling the agent's pending restart is all there is to stop.
      nodes.send(
          instance.nodeId(), new AgentCommand.StopContainer(instance.containerId(), grace, why));
      releasePorts(instance, clock.instant());
      instance.stopped();
      events.publish(
          EventKind.INSTANCE_STOPPED,
          "instance/" + instance.id(),
          instance.id()
              + " stopped on "
              + nodeName(instance.nodeId())
              + " before its restart: "
              + why,
          Map.of("node", nodeName(instance.nodeId())));
      return;
    }
    if (instance.state() == InstanceState.READY) {
      instance.draining();
      events.publish(
          EventKind.INSTANCE_DRAINING,
          "instance/" + instance.id(),
          instance.id()
              + " on "
              + nodeName(instance.nodeId())
              + " left discovery and stops in "
              + grace.toMillis()
              + " ms: "
              + why,
          Map.of("node", nodeName(instance.nodeId())));
      loop.schedule(
          grace,
          () -> {
            if (instance.state() == InstanceState.DRAINING) {
              release(instance, grace, why);
            }
          });
      return;
    }
    release(instance, grace, why);
  }

  private void release(Instance instance, Duration grace, String why) {
    String containerId = instance.containerId();
    instance.stopping();
    events.publish(
        EventKind.INSTANCE_STOPPING,
        "instance/" + instance.id(),
        "stopping " + instance.id() + " on " + nodeName(instance.nodeId()) + ": " + why,
        Map.of("node", nodeName(instance.nodeId())));
    if (containerId.isEmpty()) {
      releasePorts(instance, clock.instant());
      instance.stopped();
      return;
    }
    nodes
        .send(instance.nodeId(), new AgentCommand.ReleaseContainer(containerId, grace))
        .thenAccept(
            outcome ->
                run(
                    () -> {
                      if (!outcome.ok() && instance.state() == InstanceState.STOPPING) {
                        log.warn("release of {} failed: {}", instance.id(), outcome.error());
                      }
                    }));
  }

  private void fail(Instance instance, String why) {
    Instant now = clock.instant();
    releasePorts(instance, now);
    instance.failed(why);
    events.publish(
        EventKind.INSTANCE_FAILED,
        "instance/" + instance.id(),
        instance.id() + " failed on " + nodeName(instance.nodeId()) + ": " + why,
        Map.of("node", nodeName(instance.nodeId())));
    holdPlacement(instance.service(), now);
  }

  private void holdPlacement(String service, Instant now) {
    Duration delay =
        failureBackoff
            .computeIfAbsent(
                service, s -> Backoff.withJitter(Duration.ofSeconds(1), Duration.ofSeconds(60)))
            .nextDelay();
    // The one-second tick places again once the hold is over.
    placementHeldUntil.put(service, now.plus(delay));
  }

  private void pendingBecause(Instance instance, String reason) {
    if (!reason.equals(portsExhausted.get(instance.id()))) {
      portsExhausted.remove(instance.id());
    }
    instance.pending(reason);
    // One event per kind of reason and service, not one per node named: a burst of a million
    // instances each waiting for "a container to start on node X" made two million events.
    String kind = reasonKind(reason);
    if (!kind.equals(lastPendingReason.put(instance.service(), kind))) {
      events.publish(
          EventKind.INSTANCE_PENDING,
          "service/" + instance.service(),
          instance.id() + " is pending: " + reason,
          Map.of());
    }
  }

  /** A pending reason without the node it names, if it names one. */
  static String reasonKind(String reason) {
    int node = reason.indexOf(" on node ");
    return node < 0 ? reason : reason.substring(0, node);
  }

  private void syncWarmPools() {
    Map<JvmProfile, Integer> targets = new HashMap<>();
    for (ServicePlan plan : plans.values()) {
      if (plan.warmPool() > 0 && !plan.cold()) {
        targets.merge(plan.profile(), plan.warmPool(), Math::max);
      }
    }
    for (Node node : passNodes()) {
      if (node.state() != NodeState.READY || !containers.containsKey(node.id())) {
        continue;
      }
      Map<JvmProfile, Integer> sent =
          warmPoolsSent.computeIfAbsent(node.id(), n -> new HashMap<>());
      Set<JvmProfile> profiles = new HashSet<>(sent.keySet());
      profiles.addAll(targets.keySet());
      for (JvmProfile profile : profiles) {
        // A cordoned node keeps no spares: nothing new is to run there.
        int size = node.cordoned() ? 0 : targets.getOrDefault(profile, 0);
        if (!Integer.valueOf(size).equals(sent.get(profile))) {
          if (size == 0) {
            sent.remove(profile);
          } else {
            sent.put(profile, size);
          }
          nodes.send(node.id(), new AgentCommand.SetWarmPool(profile, size));
        }
      }
    }
  }

  /** Uncordoned nodes that are out of touch but not yet declared lost. */
  private List<String> awayNodes() {
    return passNodes().stream()
        .filter(n -> n.state() == NodeState.SUSPECT || n.state() == NodeState.DISCONNECTED)
        .filter(n -> !n.cordoned())
        .map(Node::name)
        .sorted()
        .toList();
  }

  /**
   * The nodes as the pass under way sees them: one snapshot per pass, taken at its first use (a
   * snapshot of ten thousand nodes, sorted, per use made a pass cost many times the placement).
   * Outside a pass, a fresh one.
   */
  private List<Node> passNodes() {
    if (!inPass) {
      return nodes.unordered();
    }
    if (passNodes == null) {
      passNodes = nodes.unordered();
    }
    return passNodes;
  }

  /** READY, uncordoned nodes that have not reported their load yet. */
  private List<String> unmeasuredNodes() {
    return passNodes().stream()
        .filter(n -> n.state() == NodeState.READY && !n.cordoned())
        .filter(n -> n.load().isEmpty() || !containers.containsKey(n.id()))
        .map(Node::name)
        .sorted()
        .toList();
  }

  /** The node as placement sees it for {@code plan}; null when it takes nothing now. */
  private Placement.Candidate candidate(Node node, ServicePlan plan) {
    if (node.state() != NodeState.READY || node.cordoned()) {
      return null;
    }
    Optional<NodeLoad> load = node.load();
    ContainerTable table = containers.get(node.id());
    if (load.isEmpty() || table == null || startsHeld(node.id())) {
      return null;
    }
    // Placement takes the first; looking further would cost a scan of every spare per placement.
    List<String> idle = table.firstIdle(plan.profile()).map(List::of).orElse(List.of());
    int starting =
        table.starting(plan.profile())
            + sparesRequested.getOrDefault(node.id(), 0)
            - spareWaits.count(node.id(), plan.profile());
    return new Placement.Candidate(
        node.id(),
        node.name(),
        idle,
        Math.max(0, starting),
        usage.serviceInstances(plan.name(), node.id()),
        node.inventory().memoryBytes(),
        load.get().memoryAvailableBytes(),
        node.inventory().logicalCores(),
        usage.memoryMb(node.id()),
        usage.cpuMillis(node.id()),
        load.get().cpuLoad());
  }

  private Map<String, Integer> allocatePorts(ServicePlan plan, String nodeId, Instant now) {
    PortPool pool = pools.get(nodeId);
    if (pool == null) {
      throw new ResourceExhaustedException("node " + nodeName(nodeId) + " has no port pool yet");
    }
    List<Integer> ports = pool.allocate(plan.ports().size(), now);
    Map<String, Integer> named = new LinkedHashMap<>();
    for (int i = 0; i < ports.size(); i++) {
      named.put(plan.ports().get(i), ports.get(i));
    }
    return named;
  }

  private void releasePorts(Instance instance, Instant now) {
    PortPool pool = pools.get(instance.nodeId());
    if (pool != null) {
      for (int port : instance.ports().values()) {
        if (pool.isAllocated(port)) {
          pool.release(port, now);
        }
      }
    }
  }

  private void portPool(Node node) {
    PortPool pool = pools.get(node.id());
    if (pool == null || !pool.range().equals(node.instancePorts())) {
      PortPool fresh =
          new PortPool(node.name(), node.instancePorts(), portQuarantine, foreignPortHold);
      // Ports of instances that still run stay taken in the new pool.
      for (Instance i : instances.onNode(node.id())) {
        if (i.state() != InstanceState.STOPPED && i.state() != InstanceState.FAILED) {
          i.ports().values().forEach(fresh::claim);
        }
      }
      fenced
          .getOrDefault(node.id(), Map.of())
          .values()
          .forEach(ports -> ports.values().forEach(fresh::claim));
      pools.put(node.id(), fresh);
    }
  }

  private Instance instanceOf(ContainerView container) {
    if (!container.instanceId().isEmpty()) {
      Instance byId = instances.get(container.instanceId());
      if (byId != null) {
        return byId;
      }
    }
    String reservedFor = reserved.get(container.id());
    if (reservedFor != null) {
      return instances.get(reservedFor);
    }
    String owner = containerOwners.get(container.id());
    if (owner == null) {
      return null; // never given to an instance: a spare
    }
    Instance given = instances.get(owner);
    if (given != null && given.containerId().equals(container.id())) {
      return given;
    }
    // Its last owner moved on; an earlier one may still name the container.
    Instance earlier =
        instances.values().stream()
            .filter(i -> i.containerId().equals(container.id()))
            .findFirst()
            .orElse(null);
    if (earlier == null) {
      containerOwners.remove(container.id());
    } else {
      containerOwners.put(container.id(), earlier.id());
    }
    return earlier;
  }

  /** Records that the instance now runs in (or waits for) the container it names. */
  private void owns(Instance instance) {
    if (!instance.containerId().isEmpty()) {
      containerOwners.put(instance.containerId(), instance.id());
    }
  }

  private Assignment assignment(ServicePlan plan, String instanceId, Map<String, Integer> ports) {
    return new Assignment(
        plan.name(),
        instanceId,
        ports,
        plan.artifact(),
        plan.sha256(),
        plan.entry(),
        plan.args(),
        plan.env(),
        plan.systemProperties(),
        plan.gracePeriod(),
        plan.startTimeout(),
        plan.health());
  }

  private ServiceStatusView status(ServicePlan plan) {
    int ready = 0;
    int starting = 0;
    int pending = 0;
    int failed = 0;
    for (Instance i : instances.ofService(plan.name())) {
      switch (i.state()) {
        case READY -> ready++;
        case STARTING -> starting++;
        case PENDING -> pending++;
        case FAILED -> failed++;
        default -> {}
      }
    }
    return new ServiceStatusView(
        plan.name(),
        desired.getOrDefault(plan.name(), plan.initial()),
        ready,
        starting,
        pending,
        failed,
        plan.min(),
        plan.max(),
        plan.cold(),
        plan.profile().name(),
        plan.entry());
  }

  /** Keeps the last few stopped and failed instances of each service for listings. */
  private void trimHistory() {
    Map<String, Integer> seen = new HashMap<>();
    List<Instance> ended =
        new ArrayList<>(
            instances.values().stream()
                .filter(
                    i -> i.state() == InstanceState.STOPPED || i.state() == InstanceState.FAILED)
                .toList());
    java.util.Collections.reverse(ended);
    for (Instance i : ended) {
      if (seen.merge(i.service(), 1, Integer::sum) > HISTORY) {
        instances.remove(i.id());
        containerOwners.remove(i.containerId(), i.id());
      }
    }
  }

  private String nodeName(String nodeId) {
    return nodes.get(nodeId).map(Node::name).orElse(nodeId);
  }

  private String address(String nodeId) {
    return nodes.get(nodeId).map(Node::address).orElse("?");
  }

  private static int firstPort(Instance instance) {
    return instance.ports().values().stream().findFirst().orElse(0);
  }

  private static int parseNumber(String service, String instanceId) {
    String prefix = service + "-";
    if (instanceId.startsWith(prefix)) {
      try {
        return Integer.parseInt(instanceId.substring(prefix.length()));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  // ---- the loop ----

  private <T> CompletableFuture<T> call(Supplier<T> work) {
    return loop.call(work);
  }

  private void run(Runnable work) {
    loop.run(work);
  }

  @Override
  public void close() {
    loop.close();
  }
}
