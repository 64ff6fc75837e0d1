package io.drover.controller.instances;

import io.drover.controller.ports.PortMap;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One instance as the scheduler tracks it. Touched only on the scheduler's thread.
 *
 * <p>Held for every instance, so kept small: its times are nanoseconds since the epoch rather than
 * {@code Instant}s (an {@code Instant} is 24 bytes more), and its ports an unmodifiable {@link
 * PortMap} that its endpoint and views share. What only a restarted, failed, replacing or leaving
 * instance has is kept apart ({@link Extra}), allocated the first time it is set.
 */
public final class Instance {
  /** No time: not placed, not ready, no restart planned. */
  private static final long NONE = Long.MIN_VALUE;

  private final String id;
  private final String service;
  private final long createdAt;
  private InstanceState state = InstanceState.PENDING;
  private String nodeId = "";
  private String containerId = "";
  private Map<String, Integer> ports = Map.of();
  private long pid;
  private String reason = "";
  private long placedAt = NONE;
  private long readyAt = NONE;

  /** Null until one of its fields is first set to something other than its default. */
  private Extra extra;

  /** What most instances never have. */
  private static final class Extra {
    int restarts;
    String lastError = "";
    long restartAt = NONE;

    /** Set on a replacement: the instance it takes over from (a drain moves instances). */
    String replacing = "";

    /** Set on an instance whose replacement is on its way; it no longer counts as desired. */
    boolean leaving;

    /** A node this instance must not be placed on (it replaces one that failed there). */
    String avoidNode = "";
  }

  private Extra extra() {
    if (extra == null) {
      extra = new Extra();
    }
    return extra;
  }

  public Instance(String id, String service, Instant createdAt) {
    this.id = id;
    this.service = service;
    this.createdAt = nanos(createdAt);
  }

  public String id() {
    return id;
  }

  public String service() {
    return service;
  }

  public InstanceState state() {
    return state;
  }

  public String nodeId() {
    return nodeId;
  }

  public String containerId() {
    return containerId;
  }

  public Map<String, Integer> ports() {
    return ports;
  }

  public String reason() {
    return reason;
  }

  public Instant createdAt() {
    return instant(createdAt);
  }

  public Optional<Instant> placedAt() {
    return optional(placedAt);
  }

  public void pending(String why) {
    state = InstanceState.PENDING;
    nodeId = "";
    containerId = "";
    ports = Map.of();
    pid = 0;
    reason = why;
  }

  public void placed(String node, String container, Map<String, Integer> assigned, Instant now) {
    state = InstanceState.STARTING;
    nodeId = node;
    containerId = container;
    ports = PortMap.copyOf(assigned);
    reason = "";
    placedAt = nanos(now);
  }

  /** A cold start learns its container id only from the agent's answer. */
  public void container(String container) {
    containerId = container;
  }

  public void ready(long processId, Instant now) {
    state = InstanceState.READY;
    pid = processId;
    reason = "";
    readyAt = nanos(now);
  }

  /** Taken out of discovery; it stops once its grace period has passed. */
  public void draining() {
    state = InstanceState.DRAINING;
  }

  public void stopping() {
    state = InstanceState.STOPPING;
  }

  public String replacing() {
    return extra == null ? "" : extra.replacing;
  }

  public void replacing(String instanceId) {
    if (extra != null || !instanceId.isEmpty()) {
      extra().replacing = instanceId;
    }
  }

  public boolean leaving() {
    return extra != null && extra.leaving;
  }

  public String avoidNode() {
    return extra == null ? "" : extra.avoidNode;
  }

  public void avoidNode(String nodeId) {
    if (extra != null || !nodeId.isEmpty()) {
      extra().avoidNode = nodeId;
    }
  }

  public void leaving(boolean value) {
    if (extra != null || value) {
      extra().leaving = value;
    }
  }

  public void stopped() {
    state = InstanceState.STOPPED;
  }

  public void failed(String why) {
    state = InstanceState.FAILED;
    reason = why;
    lastError(why);
  }

  /** Crashed; its agent starts it again at {@code at}, in place, with the same ports. */
  public void restarting(int count, Instant at, String why) {
    state = InstanceState.RESTARTING;
    extra().restarts = count;
    extra.restartAt = nanos(at);
    reason = why;
    extra.lastError = why;
  }

  /** Its agent restarted it in a new container. */
  public void restarted(String container, int count) {
    state = InstanceState.STARTING;
    containerId = container;
    restarts(count);
    if (extra != null) {
      extra.restartAt = NONE;
    }
    reason = "";
  }

  public void restarts(int count) {
    if (extra != null || count != 0) {
      extra().restarts = count;
    }
  }

  public int restarts() {
    return extra == null ? 0 : extra.restarts;
  }

  /** Notes an error the service reported; the instance keeps running. */
  public void lastError(String error) {
    if (extra != null || !error.isEmpty()) {
      extra().lastError = error;
    }
  }

  public InstanceView view() {
    return new InstanceView(
        id,
        service,
        state,
        nodeId,
        containerId,
        ports,
        pid,
        restarts(),
        reason,
        instant(createdAt),
        optional(readyAt),
        extra == null ? "" : extra.lastError,
        optional(extra == null ? NONE : extra.restartAt));
  }

  /** Nanoseconds since the epoch: exact for every time from 1677 to 2262. */
  private static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(0, nanos);
  }

  private static Optional<Instant> optional(long nanos) {
    return nanos == NONE ? Optional.empty() : Optional.of(instant(nanos));
  }
}
