package io.drover.agent.containers;

/**
 * The in-place restarts of one instance that has run on this node: its backoff, how often it was
 * restarted, its last error, and the dead container while a restart is pending. Touched only on the
 * supervisor's thread.
 */
final class InstanceRestarts {
  final String instanceId;
  final RestartBackoff backoff;
  int restarts;
  String lastError = "";

  /** The dead container whose instance waits for its restart; null while none is pending. */
  ContainerRecord pending;

  /** Changes whenever a pending restart is scheduled again or cancelled: stale timers see it. */
  long generation;

  InstanceRestarts(String instanceId, RestartBackoff backoff, int restarts) {
    this.instanceId = instanceId;
    this.backoff = backoff;
    this.restarts = restarts;
  }
}
