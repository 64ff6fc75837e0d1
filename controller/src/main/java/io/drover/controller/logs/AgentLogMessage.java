package io.drover.controller.logs;

/** What the controller tells an agent about the logs it reads. */
public interface AgentLogMessage {
  long streamId();

  /**
   * Start reading an instance's log.
   *
   * @param containerId the container last seen running the instance, for an instance that no longer
   *     runs; empty when unknown
   * @param window chunks the agent may send ahead of {@link Credit}s
   */
  record Open(
      long streamId,
      String instanceId,
      String containerId,
      int tailLines,
      boolean follow,
      int window)
      implements AgentLogMessage {}

  /** The reader passed on this many chunks. */
  record Credit(long streamId, int chunks) implements AgentLogMessage {}

  /** The reader went away. */
  record Cancel(long streamId) implements AgentLogMessage {}
}
