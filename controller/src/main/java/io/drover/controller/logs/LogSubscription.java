package io.drover.controller.logs;

/** The reader's hold on one open log. Calls never block. */
public interface LogSubscription {
  /**
   * The reader passed on {@code chunks} more chunks: the agent may read as many more. This is the
   * flow control: the agent never runs more than a window ahead of the reader.
   */
  void passedOn(int chunks);

  /** The reader went away: the agent stops reading. */
  void cancel();
}
