package io.drover.agent.containers;

import io.drover.v1.ServiceAssignment;

/** The agent's end of one container's link. Implementations must not block. */
public interface ContainerChannel {
  /** Tells the container its attach was accepted. */
  void accept(int metricsIntervalMs);

  /** Refuses the attach and closes the link. */
  void reject(String reason);

  /**
   * @return false if the link could not take the message (closed or full)
   */
  boolean assign(ServiceAssignment assignment);

  /**
   * @return false if the link could not take the message
   */
  boolean release(int gracePeriodMs);
}
