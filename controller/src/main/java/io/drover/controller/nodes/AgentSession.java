package io.drover.controller.nodes;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import java.util.Map;

/**
 * The protocol of one agent stream: a hello first, then messages of that session only. Breaking it
 * throws {@link InvalidArgumentException}; the transport then closes the stream and calls {@link
 * #rejected(String)}. Each instance serves one stream.
 */
public final class AgentSession {
  private final NodeRegistry registry;
  private final EventJournal events;
  private final String peerHost;
  private final SessionHandle handle;
  private String nodeId;
  private String nodeName;
  private long epoch;
  private boolean ended;

  public AgentSession(
      NodeRegistry registry, EventJournal events, String peerHost, SessionHandle handle) {
    this.registry = registry;
    this.events = events;
    this.peerHost = peerHost;
    this.handle = handle;
  }

  /** Opens the node's session; returns its epoch. */
  public synchronized long hello(AgentHello hello) {
    if (nodeId != null) {
      throw new InvalidArgumentException("hello", "sent twice on one stream");
    }
    epoch = registry.open(hello, peerHost, handle);
    nodeId = hello.nodeId();
    nodeName = hello.nodeName();
    return epoch;
  }

  public synchronized void telemetry(long messageEpoch, NodeLoad load) {
    requireSession("telemetry", messageEpoch);
    registry.recordLoad(nodeId, epoch, load);
  }

  /** Any other message of the session: proves the node alive. */
  public synchronized void message(String kind, long messageEpoch) {
    requireSession(kind, messageEpoch);
    registry.touch(nodeId, epoch);
  }

  /** The stream ended (closed by the agent, cancelled, or superseded). */
  public synchronized void closed(String reason) {
    if (ended) {
      return;
    }
    ended = true;
    if (nodeId != null) {
      registry.close(nodeId, epoch, reason);
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
