package io.drover.controller.nodes;

import io.drover.controller.agents.AgentCommand;
import io.drover.controller.logs.AgentLogMessage;

/** The domain's hold on one agent stream. Implementations must not block. */
public interface SessionHandle {
  /** Closes the stream because the same node opened another. */
  void supersede(String reason);

  /**
   * Queues a command for the stream; it may be converted and written on another thread, so that the
   * scheduler's thread does not serialize messages. A command the stream turns out not to take is
   * reported to {@link AgentSession#undelivered(String)}.
   *
   * @return false if the stream is closed already
   */
  boolean deliver(String commandId, long epoch, AgentCommand command);

  /**
   * Writes a message about a log the agent reads (open, credit, cancel) to the stream.
   *
   * @return false if the stream is closed or too far behind to take it
   */
  boolean deliverLog(long epoch, AgentLogMessage message);
}
