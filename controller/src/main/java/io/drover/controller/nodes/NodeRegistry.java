package io.drover.controller.nodes;

import io.drover.common.config.Durations;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.CommandOutcome;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every node the controller has heard from, with its sessions. Actual state only: it comes from
 * what agents report and is rebuilt from their hellos after a restart.
 *
 * <p>Sessions are fenced by epoch: each hello opens a session with an epoch higher than any the
 * node had, and only messages of the current session change the node.
 */
public final class NodeRegistry {
  private final Map<String, Entry> nodes = new ConcurrentHashMap<>();
  private final EventJournal events;
  private final Clock clock;
  private final EpochLedger epochs;

  public NodeRegistry(EventJournal events, Clock clock) {
    this(events, clock, EpochLedger.NONE);
  }

  public NodeRegistry(EventJournal events, Clock clock, EpochLedger epochs) {
    this.events = events;
    this.clock = clock;
    this.epochs = epochs;
  }

  /**
   * Opens a session for the node of {@code hello}; a session the node still had open is closed.
   *
   * @param peerHost the address the agent connected from
   * @return the epoch of the new session
   */
  public long open(AgentHello hello, String peerHost, AgentSession handle) {
    Entry entry = nodes.computeIfAbsent(hello.nodeId(), Entry::new);
    Instant now = clock.instant();
    AgentSession superseded;
    boolean first;
    Duration away;
    long epoch;
    NodeState previous;
    synchronized (entry) {
      first = entry.hello == null;
      previous = entry.state;
      superseded = entry.state != null && entry.state.connected() ? entry.session : null;
      away =
          entry.disconnectedAt == null
              ? Duration.ZERO
              : Duration.between(entry.disconnectedAt, now);
      epoch =
          Math.max(Math.max(entry.epoch, hello.lastEpoch()), epochs.highest(hello.nodeId())) + 1;
      epochs.issued(hello.nodeId(), epoch);
      entry.hello = hello;
      entry.address = hello.advertiseAddress().orElse(peerHost);
      entry.epoch = epoch;
      entry.session = handle;
      entry.state = NodeState.READY;
      entry.connectedAt = now;
      entry.lastSeen = now;
      entry.disconnectedAt = null;
      entry.sample = null;
    }
    String subject = subject(hello.nodeName());
    Map<String, String> attributes =
        Map.of("nodeId", hello.nodeId(), "epoch", Long.toString(epoch), "address", entry.address);
    if (superseded != null) {
      superseded.supersede("node " + hello.nodeName() + " opened a newer session, epoch " + epoch);
      events.publish(
          EventKind.NODE_SESSION_REPLACED,
          subject,
          "node "
              + hello.nodeName()
              + " opened a new stream while its old one was open;"
              + " the old one was closed (epoch "
              + epoch
              + ")",
          attributes);
    } else if (first) {
      NodeInventory inv = hello.inventory();
      events.publish(
          EventKind.NODE_JOINED,
          subject,
          String.format(
              Locale.ROOT,
              "node %s joined from %s: %d cores, %.1f GiB, agent %s, epoch %d",
              hello.nodeName(),
              entry.address,
              inv.logicalCores(),
              inv.memoryBytes() / (double) (1L << 30),
              hello.agentVersion(),
              epoch),
          attributes);
    } else {
      events.publish(
          EventKind.NODE_RECONNECTED,
          subject,
          String.format(
              Locale.ROOT,
              "node %s reconnected after %.1f s away (it was %s), epoch %d",
              hello.nodeName(),
              away.toMillis() / 1000.0,
              previous,
              epoch),
          attributes);
    }
    return epoch;
  }

  /**
   * Called with every telemetry sample recorded (metrics: telemetry lag), on the caller's thread.
   */
  public void onSample(java.util.function.BiConsumer<String, TelemetrySample> listener) {
    this.sampleListener = listener;
  }

  private volatile java.util.function.BiConsumer<String, TelemetrySample> sampleListener =
      (id, s) -> {};

  /** Records a telemetry sample of the current session; samples of older sessions are ignored. */
  public boolean recordLoad(String nodeId, long epoch, NodeLoad load) {
    return recordSample(nodeId, epoch, TelemetrySample.of(load));
  }

  /**
   * Records a telemetry sample of the current session as received, to be converted when read;
   * samples of older sessions are ignored.
   */
  public boolean recordSample(String nodeId, long epoch, TelemetrySample sample) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      return false;
    }
    boolean back;
    synchronized (entry) {
      if (entry.epoch != epoch || !entry.state.connected()) {
        return false;
      }
      entry.sample = sample;
      back = heardFrom(entry);
    }
    sampleListener.accept(nodeId, sample);
    if (back) {
      readyAgain(entry);
    }
    return true;
  }

  /** Notes that the current session of the node is alive. */
  public void touch(String nodeId, long epoch) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      return;
    }
    boolean back = false;
    synchronized (entry) {
      if (entry.epoch == epoch && entry.state.connected()) {
        back = heardFrom(entry);
      }
    }
    if (back) {
      readyAgain(entry);
    }
  }

  /** Notes a message; returns true if the node was SUSPECT and is READY again. */
  private boolean heardFrom(Entry entry) {
    entry.lastSeen = clock.instant();
    if (entry.state == NodeState.SUSPECT) {
      entry.state = NodeState.READY;
      return true;
    }
    return false;
  }

  private void readyAgain(Entry entry) {
    String name;
    long epoch;
    synchronized (entry) {
      name = entry.hello.nodeName();
      epoch = entry.epoch;
    }
    events.publish(
        EventKind.NODE_READY_AGAIN,
        subject(name),
        "node " + name + " is heard from again; it is READY",
        Map.of("nodeId", entry.id, "epoch", Long.toString(epoch)));
  }

  /**
   * Share of the watched nodes silent past {@code lostAfter} at once from which none is declared
   * lost, in a fleet of at least {@link #SHARE_HOLD_MIN_NODES}: Kubernetes' unhealthy-zone
   * threshold. So many nodes do not fail together while the controller runs on; the controller's
   * own network, or its own overload, is the likelier cause, and declaring them lost would replace,
   * then fence (stop) every instance when they come back.
   */
  static final double SILENT_SHARE_HOLD = 0.55;

  /** Below this many watched nodes, losses are held only when every one is silent. */
  static final int SHARE_HOLD_MIN_NODES = 10;

  /**
   * The longest losses are held: past it, a fleet that is still silent is taken to be down (a
   * provider can then replace its servers), until enough of it is heard from again.
   */
  static final Duration MAX_LOSS_HOLD = Duration.ofMinutes(5);

  // Only the failure detector's thread sweeps.
  private boolean lossesHeld;
  private Instant heldSince;
  private Instant resumedAt;
  private boolean holdSpent;

  /**
   * The failure detector's pass: a connected node heard from longer than {@code suspectAfter} ago
   * becomes SUSPECT; any node heard from longer than {@code lostAfter} ago becomes LOST, and its
   * stream, if still open, is closed, so that it must come back with a new session. While most of
   * the fleet is silent at once (see {@link #SILENT_SHARE_HOLD}), no node is declared lost: the
   * silent ones stay SUSPECT or DISCONNECTED, with what runs there, and a {@code LIVENESS_HELD}
   * event says why.
   *
   * @return the nodes declared lost by this pass
   */
  public List<LostNode> sweep(Duration suspectAfter, Duration lostAfter) {
    Instant now = clock.instant();
    // In nanoseconds, not Durations: the pass visits every node a few times a second, and nearly
    // all of them were heard from a moment ago.
    long suspectNanos = saturatedNanos(suspectAfter);
    long lostNanos = saturatedNanos(lostAfter);
    boolean hold = holdLosses(now, lostNanos, lostAfter);
    List<LostNode> lost = new java.util.ArrayList<>();
    for (Entry entry : nodes.values()) {
      NodeState before;
      long silentNanos;
      boolean losing;
      AgentSession openSession = null;
      String name;
      long epoch;
      synchronized (entry) {
        if (entry.hello == null || entry.state == NodeState.LOST) {
          continue;
        }
        before = entry.state;
        silentNanos = nanosBetween(entry.lastSeen, now);
        losing = !hold && silentSinceHold(silentNanos, now) > lostNanos;
        if (!losing && (before != NodeState.READY || silentNanos <= suspectNanos)) {
          continue;
        }
        name = entry.hello.nodeName();
        epoch = entry.epoch;
        if (losing) {
          entry.state = NodeState.LOST;
          if (before.connected()) {
            openSession = entry.session;
            entry.session = null;
            entry.disconnectedAt = now;
          }
        } else {
          entry.state = NodeState.SUSPECT;
        }
      }
      Duration silent = Duration.ofNanos(silentNanos);
      Map<String, String> attributes =
          Map.of(
              "nodeId",
              entry.id,
              "epoch",
              Long.toString(epoch),
              "silentMs",
              Long.toString(silent.toMillis()));
      if (!losing) {
        events.publish(
            EventKind.NODE_SUSPECT,
            subject(name),
            String.format(
                Locale.ROOT,
                "node %s is suspect: nothing heard for %.1f s (suspectAfter %s); it takes no new"
                    + " instances",
                name,
                silent.toMillis() / 1000.0,
                Durations.format(suspectAfter)),
            attributes);
        continue;
      }
      if (openSession != null) {
        openSession.supersede("node " + name + " was declared lost");
      }
      events.publish(
          EventKind.NODE_LOST,
          subject(name),
          String.format(
              Locale.ROOT,
              "node %s is lost: nothing heard for %.1f s (lostAfter %s, it was %s); its instances"
                  + " are replaced elsewhere",
              name,
              silent.toMillis() / 1000.0,
              Durations.format(lostAfter),
              before),
          attributes);
      lost.add(new LostNode(entry.id, name, epoch));
    }
    return lost;
  }

  /**
   * Counts the watched nodes and those silent past {@code lostAfter}, decides whether losses are
   * held, and tells of a change.
   */
  private boolean holdLosses(Instant now, long lostNanos, Duration lostAfter) {
    int watched = 0;
    int silent = 0;
    for (Entry entry : nodes.values()) {
      synchronized (entry) {
        if (entry.hello == null || entry.state == NodeState.LOST) {
          continue;
        }
        watched++;
        if (silentSinceHold(nanosBetween(entry.lastSeen, now), now) > lostNanos) {
          silent++;
        }
      }
    }
    boolean mostSilent =
        watched >= 2
            && (silent == watched
                || (watched >= SHARE_HOLD_MIN_NODES && silent > SILENT_SHARE_HOLD * watched));
    if (!mostSilent) {
      holdSpent = false;
    } else if (lossesHeld && !now.isBefore(heldSince.plus(MAX_LOSS_HOLD))) {
      holdSpent = true;
    }
    boolean hold = mostSilent && !holdSpent;
    if (hold != lossesHeld) {
      heldSince = hold ? now : null;
      // Nodes still silent when a hold ends get lostAfter from then to be heard: the stall that
      // silenced the whole fleet (often the controller's own) is still draining.
      resumedAt = hold || holdSpent ? null : now;
      lossesHeld = hold;
      Map<String, String> counts =
          Map.of("silent", Integer.toString(silent), "watched", Integer.toString(watched));
      if (hold) {
        events.publish(
            EventKind.LIVENESS_HELD,
            "nodes",
            String.format(
                Locale.ROOT,
                "%d of %d nodes are silent past lostAfter (%s) at once: the controller's own network"
                    + " or load is the likelier cause, so none is declared lost and what runs on"
                    + " them stays; they take no new instances until heard from",
                silent,
                watched,
                Durations.format(lostAfter)),
            counts);
      } else {
        events.publish(
            EventKind.LIVENESS_RESUMED,
            "nodes",
            holdSpent
                ? String.format(
                    Locale.ROOT,
                    "%d of %d nodes are still silent after %s: they are taken to be down and"
                        + " declared lost",
                    silent,
                    watched,
                    Durations.format(MAX_LOSS_HOLD))
                : String.format(
                    Locale.ROOT,
                    "%d of %d nodes are silent past lostAfter: losses are declared again, for"
                        + " those still silent after another lostAfter",
                    silent,
                    watched),
            counts);
      }
    }
    return hold;
  }

  /** A node's silence as losses count it: not from before the end of the last hold. */
  private long silentSinceHold(long silentNanos, Instant now) {
    return resumedAt == null ? silentNanos : Math.min(silentNanos, nanosBetween(resumedAt, now));
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** From {@code earlier} to {@code later} in nanoseconds, as {@link Duration#between}. */
  private static long nanosBetween(Instant earlier, Instant later) {
    return (later.getEpochSecond() - earlier.getEpochSecond()) * 1_000_000_000L
        + (later.getNano() - earlier.getNano());
  }

  /** A node the failure detector declared lost, with the session it lost. */
  public record LostNode(String id, String name, long epoch) {}

  /**
   * Records instances of the node that were replaced while it was lost; the node is told to stop
   * them when it comes back (fencing), until it no longer runs them.
   */
  public void fence(String nodeId, Set<String> instanceIds) {
    Entry entry = nodes.get(nodeId);
    if (entry != null) {
      synchronized (entry) {
        entry.fenced.addAll(instanceIds);
      }
    }
  }

  /** The node no longer runs these fenced instances. */
  public void unfence(String nodeId, Set<String> instanceIds) {
    Entry entry = nodes.get(nodeId);
    if (entry != null) {
      synchronized (entry) {
        entry.fenced.removeAll(instanceIds);
      }
    }
  }

  /** Instances of the node that were replaced elsewhere and that it must stop. */
  public Set<String> fenced(String nodeId) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      return Set.of();
    }
    synchronized (entry) {
      return Set.copyOf(entry.fenced);
    }
  }

  /**
   * Forgets the node (an operator removed it); a session it still has open is closed.
   *
   * @return the node as lost, so that its instances can be replaced; empty if it was not known
   */
  public Optional<LostNode> remove(String nodeId, String reason) {
    Entry entry = nodes.remove(nodeId);
    if (entry == null) {
      return Optional.empty();
    }
    AgentSession session;
    String name;
    long epoch;
    synchronized (entry) {
      session = entry.session;
      entry.session = null;
      entry.state = NodeState.DISCONNECTED;
      name = entry.hello == null ? nodeId : entry.hello.nodeName();
      epoch = entry.epoch;
    }
    if (session != null) {
      session.supersede(reason);
    }
    events.publish(
        EventKind.NODE_REMOVED,
        subject(name),
        "node " + name + " removed: " + reason,
        Map.of("nodeId", nodeId));
    return Optional.of(new LostNode(nodeId, name, epoch));
  }

  /**
   * Marks the node DISCONNECTED if {@code epoch} is still its current session.
   *
   * @return true if it did
   */
  public boolean close(String nodeId, long epoch, String reason) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      return false;
    }
    String name;
    synchronized (entry) {
      if (entry.epoch != epoch || !entry.state.connected()) {
        return false;
      }
      entry.state = NodeState.DISCONNECTED;
      entry.session = null;
      entry.disconnectedAt = clock.instant();
      name = entry.hello.nodeName();
    }
    events.publish(
        EventKind.NODE_DISCONNECTED,
        subject(name),
        "node " + name + " disconnected: " + reason,
        Map.of("nodeId", nodeId, "epoch", Long.toString(epoch)));
    return true;
  }

  /**
   * Sends a command to the node's current session.
   *
   * @return the agent's answer; a failed outcome when the node has no open session
   */
  public CompletableFuture<CommandOutcome> send(String nodeId, AgentCommand command) {
    Entry entry = nodes.get(nodeId);
    AgentSession session = null;
    if (entry != null) {
      synchronized (entry) {
        if (entry.state.connected()) {
          session = entry.session;
        }
      }
    }
    if (session == null) {
      return CompletableFuture.completedFuture(
          CommandOutcome.failed("", "node " + nodeId + " has no open session"));
    }
    return session.send(command);
  }

  /** The node's open session, if it is connected. */
  public Optional<AgentSession> session(String nodeId) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      return Optional.empty();
    }
    synchronized (entry) {
      return entry.state != null && entry.state.connected()
          ? Optional.ofNullable(entry.session)
          : Optional.empty();
    }
  }

  /**
   * Marks a node as taking no new instances, or takes the mark away.
   *
   * @return false if it already was so
   */
  public boolean cordon(String nodeId, boolean cordoned) {
    Entry entry = nodes.get(nodeId);
    if (entry == null) {
      throw new NotFoundException("node", nodeId);
    }
    synchronized (entry) {
      if (entry.cordoned == cordoned) {
        return false;
      }
      entry.cordoned = cordoned;
    }
    return true;
  }

  /** Every node, by name then id. */
  public List<Node> list() {
    return nodes.values().stream()
        .map(Entry::snapshot)
        .flatMap(Optional::stream)
        .sorted(Comparator.comparing(Node::name).thenComparing(Node::id))
        .toList();
  }

  /** As {@link #list}, in no particular order: for a scheduler pass, which orders nodes itself. */
  public List<Node> unordered() {
    List<Node> all = new ArrayList<>(nodes.size());
    for (Entry entry : nodes.values()) {
      entry.snapshot().ifPresent(all::add);
    }
    return all;
  }

  public Optional<Node> get(String nodeId) {
    Entry entry = nodes.get(nodeId);
    return entry == null ? Optional.empty() : entry.snapshot();
  }

  /**
   * Finds a node by id, by name, or by a unique prefix of its id.
   *
   * @throws NotFoundException when nothing matches
   * @throws InvalidArgumentException when several nodes match
   */
  public Node find(String idOrName) {
    Optional<Node> exact = get(idOrName);
    if (exact.isPresent()) {
      return exact.get();
    }
    List<Node> all = list();
    List<Node> matches = all.stream().filter(n -> n.name().equals(idOrName)).toList();
    if (matches.size() > 1) {
      // A server rebuilt under the same name is a new node; the old one is gone for good.
      List<Node> connected = matches.stream().filter(n -> n.state().connected()).toList();
      if (connected.size() == 1) {
        matches = connected;
      }
    }
    if (matches.isEmpty() && !idOrName.isEmpty()) {
      matches = all.stream().filter(n -> n.id().startsWith(idOrName)).toList();
    }
    if (matches.isEmpty()) {
      throw new NotFoundException("node", idOrName);
    }
    if (matches.size() > 1) {
      throw new InvalidArgumentException(
          "node",
          "'"
              + idOrName
              + "' matches "
              + matches.size()
              + " nodes ("
              + String.join(", ", matches.stream().map(Node::id).toList())
              + "); give the id");
    }
    return matches.get(0);
  }

  static String subject(String nodeName) {
    return "node/" + nodeName;
  }

  /** Mutable state of one node, guarded by its own monitor. */
  private static final class Entry {
    final String id;
    AgentHello hello;
    String address;
    NodeState state;
    long epoch;
    AgentSession session;
    Instant connectedAt;
    Instant lastSeen;
    Instant disconnectedAt;
    TelemetrySample sample;
    boolean cordoned;
    final Set<String> fenced = new java.util.HashSet<>();

    Entry(String id) {
      this.id = id;
    }

    synchronized Optional<Node> snapshot() {
      if (hello == null) {
        return Optional.empty();
      }
      return Optional.of(
          new Node(
              id,
              hello.nodeName(),
              state,
              address,
              hello.agentVersion(),
              hello.agentPid(),
              epoch,
              lastSeen,
              connectedAt,
              hello.instancePorts(),
              hello.httpPort(),
              hello.containers(),
              cordoned,
              hello.inventory(),
              Optional.ofNullable(sample)));
    }
  }
}
