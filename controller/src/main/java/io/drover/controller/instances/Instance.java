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

  /** Waiting for a spare container that is starting for it (see the scheduler's spare waits). */
  private boolean waitingForSpare;

  /** Told of every change to what the scheduler's indexes sort instances by; null when none. */
  private Indexer indexer;

  /**
   * Keeps indexes of instances (by service, node, state) up to date, so that a reconcile pass looks
   * only at the instances it acts on instead of scanning every one. Told before and after each
   * change to the state, node, leaving mark, replaced instance or spare wait.
   */
  public interface Indexer {
    void before(Instance instance);

    void after(Instance instance);
  }

  /** From now on {@code indexer} hears of this instance's changes (null: none does). */
  public void indexedBy(Indexer indexer) {
    this.indexer = indexer;
  }

  private void changing() {
    if (indexer != null) {
      indexer.before(this);
    }
  }

  private void changed() {
    if (indexer != null) {
      indexer.after(this);
    }
  }

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
    changing();
    state = InstanceState.PENDING;
    nodeId = "";
    containerId = "";
    ports = Map.of();
    pid = 0;
    reason = why;
    changed();
  }

  public void placed(String node, String container, Map<String, Integer> assigned, Instant now) {
    changing();
    state = InstanceState.STARTING;
    nodeId = node;
    containerId = container;
    ports = PortMap.copyOf(assigned);
    reason = "";
    placedAt = nanos(now);
    changed();
  }

  /** A cold start learns its container id only from the agent's answer. */
  public void container(String container) {
    containerId = container;
  }

  public void ready(long processId, Instant now) {
    changing();
    state = InstanceState.READY;
    pid = processId;
    reason = "";
    readyAt = nanos(now);
    changed();
  }

  /** Taken out of discovery; it stops once its grace period has passed. */
  public void draining() {
    changing();
    state = InstanceState.DRAINING;
    changed();
  }

  public void stopping() {
    changing();
    state = InstanceState.STOPPING;
    changed();
  }

  public String replacing() {
    return extra == null ? "" : extra.replacing;
  }

  public void replacing(String instanceId) {
    if (extra != null || !instanceId.isEmpty()) {
      changing();
      extra().replacing = instanceId;
      changed();
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
      changing();
      extra().leaving = value;
      changed();
    }
  }

  public boolean waitingForSpare() {
    return waitingForSpare;
  }

  public void waitingForSpare(boolean value) {
    if (waitingForSpare != value) {
      changing();
      waitingForSpare = value;
      changed();
    }
  }

  public void stopped() {
    changing();
    state = InstanceState.STOPPED;
    changed();
  }

  public void failed(String why) {
    changing();
    state = InstanceState.FAILED;
    reason = why;
    lastError(why);
    changed();
  }

  /** Crashed; its agent starts it again at {@code at}, in place, with the same ports. */
  public void restarting(int count, Instant at, String why) {
    changing();
    state = InstanceState.RESTARTING;
    extra().restarts = count;
    extra.restartAt = nanos(at);
    reason = why;
    extra.lastError = why;
    changed();
  }

  /** Its agent restarted it in a new container. */
  public void restarted(String container, int count) {
    changing();
    state = InstanceState.STARTING;
    containerId = container;
    restarts(count);
    if (extra != null) {
      extra.restartAt = NONE;
    }
    reason = "";
    changed();
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
