package io.drover.controller.nodes;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.agents.CommandOutcome;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.logs.LogEnding;
import io.drover.controller.logs.LogRequest;
import io.drover.controller.logs.LogSink;
import io.drover.controller.logs.LogSubscription;
import io.drover.controller.logs.SessionLogs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The protocol of one agent stream: a hello first, then messages of that session only. Breaking it
 * throws {@link InvalidArgumentException}; the transport then closes the stream and calls {@link
 * #rejected(String)}. It also carries commands to the agent and matches their results. Each
 * instance serves one stream.
 */
public final class AgentSession {
  private static final AtomicLong COMMANDS = new AtomicLong();
  private static final String COMMAND_PREFIX =
      "cmd-" + Long.toString(System.currentTimeMillis(), 36) + "-";

  private final NodeRegistry registry;
  private final EventJournal events;
  private final AgentEvents agentEvents;
  private final String peerHost;
  private final SessionHandle handle;
  private final Map<String, CompletableFuture<CommandOutcome>> pending = new ConcurrentHashMap<>();
  private volatile String nodeId;
  private String nodeName;
  private volatile long epoch;

  /** The logs this session reads for readers; set once the welcome is on the stream. */
  private volatile SessionLogs logs;

  /** Set once the welcome is on the stream; no command may go before it. */
  private volatile boolean welcomed;

  private boolean ended;

  public AgentSession(
      NodeRegistry registry,
      EventJournal events,
      AgentEvents agentEvents,
      String peerHost,
      SessionHandle handle) {
    this.registry = registry;
    this.events = events;
    this.agentEvents = agentEvents;
    this.peerHost = peerHost;
    this.handle = handle;
  }

  /** Opens the node's session; returns its epoch. */
  public long hello(AgentHello hello, List<ContainerView> containers) {
    return hello(hello, containers, epoch -> {});
  }

  /**
   * Opens the node's session and calls {@code welcome} with its epoch before anything else can send
   * on the stream: the agent must know its epoch before the first command arrives, or it refuses
   * the command.
   */
  public synchronized long hello(
      AgentHello hello, List<ContainerView> containers, java.util.function.LongConsumer welcome) {
    if (nodeId != null) {
      throw new InvalidArgumentException("hello", "sent twice on one stream");
    }
    epoch = registry.open(hello, peerHost, this);
    nodeId = hello.nodeId();
    nodeName = hello.nodeName();
    welcome.accept(epoch);
    welcomed = true;
    // Like commands, log requests may only follow the welcome.
    long sessionEpoch = epoch;
    logs = new SessionLogs(nodeName, message -> handle.deliverLog(sessionEpoch, message));
    agentEvents.sessionOpened(nodeId, epoch, containers);
    return epoch;
  }

  public void telemetry(
      long messageEpoch, NodeLoad load, Map<String, ContainerLoad> containerLoads) {
    telemetry(messageEpoch, TelemetrySample.of(load), containerLoads);
  }

  /** A telemetry sample as received (converted when read) and its containers' loads. */
  public synchronized void telemetry(
      long messageEpoch, TelemetrySample sample, Map<String, ContainerLoad> containerLoads) {
    requireSession("telemetry", messageEpoch);
    registry.recordSample(nodeId, epoch, sample);
    if (!containerLoads.isEmpty()) {
      agentEvents.containerLoads(nodeId, containerLoads);
    }
  }

  public synchronized void containerChanged(
      long messageEpoch, ContainerView container, String commandId) {
    requireSession("container_event", messageEpoch);
    registry.touch(nodeId, epoch);
    agentEvents.containerChanged(nodeId, container, commandId);
  }

  public synchronized void overload(long messageEpoch, String instanceId, String reason) {
    requireSession("overload", messageEpoch);
    registry.touch(nodeId, epoch);
    agentEvents.overload(nodeId, instanceId, reason);
  }

  public synchronized void error(long messageEpoch, String instanceId, String error) {
    requireSession("error", messageEpoch);
    registry.touch(nodeId, epoch);
    agentEvents.error(nodeId, instanceId, error);
  }

  public synchronized void commandResult(long messageEpoch, CommandOutcome outcome) {
    requireSession("command_result", messageEpoch);
    registry.touch(nodeId, epoch);
    CompletableFuture<CommandOutcome> waiting = pending.remove(outcome.commandId());
    if (waiting != null) {
      waiting.complete(outcome);
    }
  }

  /**
   * Sends a command on this stream.
   *
   * @return completes with the agent's answer, or with a failed outcome if the stream ends first
   */
  public CompletableFuture<CommandOutcome> send(AgentCommand command) {
    String id = COMMAND_PREFIX + COMMANDS.incrementAndGet();
    CompletableFuture<CommandOutcome> result = new CompletableFuture<>();
    pending.put(id, result);
    if (ended || !welcomed || !handle.deliver(id, epoch, command)) {
      pending.remove(id);
      result.complete(
          CommandOutcome.failed(id, "the stream to node " + nodeName + " is closed or full"));
    } else if (ended) {
      failPending();
    }
    return result;
  }

  /** The stream could not take a command it had queued (it closed, or fell too far behind). */
  public void undelivered(String commandId) {
    CompletableFuture<CommandOutcome> waiting = pending.remove(commandId);
    if (waiting != null) {
      waiting.complete(
          CommandOutcome.failed(
              commandId, "the stream to node " + nodeName + " is closed or full"));
    }
  }

  /**
   * Asks the agent for an instance's log.
   *
   * @param lastContainerId the container last seen running the instance; empty when unknown
   * @return empty while the session is not yet welcomed
   */
  public Optional<LogSubscription> openLog(
      LogRequest request, String lastContainerId, LogSink sink) {
    SessionLogs open = logs;
    // A session that ends meanwhile fails this log too: SessionLogs checks after it is listed.
    return open == null ? Optional.empty() : Optional.of(open.open(request, lastContainerId, sink));
  }

  /** A piece of a log the agent reads for a reader. */
  public void logData(long messageEpoch, long streamId, String containerId, byte[] data) {
    requireSession("log_data", messageEpoch);
    registry.touch(nodeId, epoch);
    logs.data(streamId, containerId, data);
  }

  /** The agent ended a log. */
  public void logEnded(long messageEpoch, long streamId, LogEnding ending, String message) {
    requireSession("log_data", messageEpoch);
    registry.touch(nodeId, epoch);
    logs.ended(streamId, ending, message);
  }

  /** Closes the stream because the node opened a newer one. */
  void supersede(String reason) {
    handle.supersede(reason);
    SessionLogs open = logs;
    if (open != null) {
      open.closeAll();
    }
  }

  public long epoch() {
    return epoch;
  }

  /** The node of this stream; empty before the hello. */
  public String nodeId() {
    return nodeId == null ? "" : nodeId;
  }

  /** The stream ended (closed by the agent, cancelled, or superseded). */
  public void closed(String reason) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      if (nodeId != null && registry.close(nodeId, epoch, reason)) {
        agentEvents.sessionClosed(nodeId, epoch);
      }
    }
    failPending();
    SessionLogs open = logs;
    if (open != null) {
      open.closeAll();
    }
  }

  private void failPending() {
    for (String id : List.copyOf(pending.keySet())) {
      CompletableFuture<CommandOutcome> waiting = pending.remove(id);
      if (waiting != null) {
        waiting.complete(CommandOutcome.failed(id, "the session of node " + nodeName + " ended"));
      }
    }
  }

  /** The stream was closed because the agent broke the protocol. */
  public synchronized void rejected(String reason) {
    if (ended) {
      return;
    }
    String subject = nodeName != null ? NodeRegistry.subject(nodeName) : "peer/" + peerHost;
    events.publish(
        EventKind.AGENT_STREAM_REJECTED,
        subject,
        "closed the agent stream from " + peerHost + ": " + reason,
        Map.of("peer", peerHost));
    closed("protocol violation: " + reason);
  }

  private void requireSession(String kind, long messageEpoch) {
    if (nodeId == null) {
      throw new InvalidArgumentException(
          kind, "arrived before the hello; the first message of a stream must be a hello");
    }
    if (messageEpoch != epoch) {
      throw new InvalidArgumentException(
          "session_epoch", messageEpoch + " is not this stream's epoch " + epoch);
    }
  }
}
