package io.drover.controller.instances;

/** The life of one copy of a service. */
public enum InstanceState {
  /** Wanted, not placed yet; the reason says what it waits for. */
  PENDING,
  /** Placed on a container and starting. */
  STARTING,
  /** Started and ready: receives traffic. */
  READY,
  /** Taken out of discovery; its grace period runs before it stops. */
  DRAINING,
  /** Being stopped. */
  STOPPING,
  /** Stopped on purpose. */
  STOPPED,
  /** Failed to start, crashed, lost with its node, or its artifact was refused. */
  FAILED,
  /** Crashed; its agent restarts it in place with its ports after a backoff (crash loop). */
  RESTARTING;

  /** Counts toward the service's desired replicas. */
  public boolean isLive() {
    return this == PENDING || this == STARTING || this == READY || this == RESTARTING;
  }
}
