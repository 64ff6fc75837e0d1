package io.drover.controller.logs;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.errors.UnavailableException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The logs one agent session reads for readers: gives each a stream id, passes the agent's pieces
 * to the reader's sink, turns the agent's ending into an end or a domain error, and fails every
 * open log when the session ends.
 */
public final class SessionLogs {
  /** Chunks an agent may send ahead of the reader: 8 × 32 KiB in flight per log. */
  public static final int WINDOW = 8;

  private final String nodeName;
  private final Predicate<AgentLogMessage> agent;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Open> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private record Open(String instanceId, LogSink sink) {}

  /**
   * @param agent sends a message to the agent; false when the stream is closed or full
   */
  public SessionLogs(String nodeName, Predicate<AgentLogMessage> agent) {
    this.nodeName = nodeName;
    this.agent = agent;
  }

  /**
   * Asks the agent for a log.
   *
   * @param lastContainerId the container last seen running the instance; empty when unknown
   */
  public LogSubscription open(LogRequest request, String lastContainerId, LogSink sink) {
    long id = ids.incrementAndGet();
    open.put(id, new Open(request.instanceId(), sink));
    boolean sent =
        !closed
            && agent.test(
                new AgentLogMessage.Open(
                    id,
                    request.instanceId(),
                    lastContainerId,
                    request.tailLines(),
                    request.follow(),
                    WINDOW));
    if (!sent || closed) {
      fail(id, disconnected(request.instanceId()));
    }
    return new LogSubscription() {
      @Override
      public void passedOn(int chunks) {
        if (open.containsKey(id)) {
          agent.test(new AgentLogMessage.Credit(id, chunks));
        }
      }

      @Override
      public void cancel() {
        if (open.remove(id) != null) {
          agent.test(new AgentLogMessage.Cancel(id));
        }
      }
    };
  }

  /** A piece of a log from the agent; pieces of logs no longer open are dropped. */
  public void data(long streamId, String containerId, byte[] data) {
    Open log = open.get(streamId);
    if (log != null) {
      log.sink().chunk(containerId, data);
    }
  }

  /** The agent ended a log. */
  public void ended(long streamId, LogEnding ending, String message) {
    Open log = open.remove(streamId);
    if (log == null) {
      return;
    }
    String on = " (node " + nodeName + ")";
    switch (ending) {
      case COMPLETE -> log.sink().ended("");
      case INSTANCE_GONE -> log.sink().ended(message + on);
      case NOT_FOUND, NO_LOG -> log.sink().failed(new FailedPreconditionException(message + on));
      case BUSY -> log.sink().failed(new ResourceExhaustedException(message + on));
      case FAILED ->
          log.sink().failed(new UnavailableException("node " + nodeName + ": " + message));
    }
  }

  /** The session ended: every open log fails, naming the node. */
  public void closeAll() {
    closed = true;
    for (Long id : List.copyOf(open.keySet())) {
      Open log = open.get(id);
      if (log != null) {
        fail(id, disconnected(log.instanceId()));
      }
    }
  }

  /** Logs open now. */
  public int size() {
    return open.size();
  }

  private void fail(long id, RuntimeException error) {
    Open log = open.remove(id);
    if (log != null) {
      log.sink().failed(error);
    }
  }

  private UnavailableException disconnected(String instanceId) {
    return new UnavailableException(
        "node "
            + nodeName
            + ": its agent is disconnected; the log of instance "
            + instanceId
            + " ends here");
  }
}
