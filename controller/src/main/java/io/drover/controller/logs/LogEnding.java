package io.drover.controller.logs;

/** Why an agent ended a log stream. */
public enum LogEnding {
  /** The tail was sent (without follow). */
  COMPLETE,
  /** The instance no longer runs on the node; what it wrote was sent. */
  INSTANCE_GONE,
  /** No container of the node runs the instance. */
  NOT_FOUND,
  /** The instance's container has written no log yet. */
  NO_LOG,
  /** The agent serves as many logs as it allows. */
  BUSY,
  /** Reading failed on the agent, or the agent broke the protocol. */
  FAILED
}
