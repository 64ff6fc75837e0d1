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
  /** Failed to start, crashed, or its artifact was refused. */
  FAILED;

  /** Counts toward the service's desired replicas. */
  public boolean isLive() {
    return this == PENDING || this == STARTING || this == READY;
  }
}
