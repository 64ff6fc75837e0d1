package io.drover.agent.containers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * How long a crashed instance waits before the agent restarts it in place: 1 s after the first
 * crash, doubling with each crash up to 60 s, and back to 1 s once the instance has run healthy for
 * 60 s. No jitter: the instances of one node crash for reasons of their own, not in a wave. Told
 * the time by its clock; one per instance, used from one thread.
 */
final class RestartBackoff {
  static final Duration INITIAL = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(60);
  static final Duration RESET_AFTER = Duration.ofSeconds(60);

  private final Clock clock;
  private final Duration initial;
  private final Duration max;
  private final Duration resetAfter;
  private Duration next;
  private Instant healthySince;

  RestartBackoff(Clock clock) {
    this(clock, INITIAL, MAX, RESET_AFTER);
  }

  RestartBackoff(Clock clock, Duration initial, Duration max, Duration resetAfter) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
    this.clock = clock;
    this.initial = initial;
    this.max = max;
    this.resetAfter = resetAfter;
    this.next = initial;
  }

  /** The instance runs and passes its health check, from now on (if it did not already). */
  void healthy() {
    if (healthySince == null) {
      healthySince = clock.instant();
    }
  }

  /** The instance runs but fails its health check: the healthy time starts again. */
  void unhealthy() {
    healthySince = null;
  }

  /** The instance crashed: the wait before its restart. */
  Duration crashed() {
    if (healthySince != null
        && Duration.between(healthySince, clock.instant()).compareTo(resetAfter) >= 0) {
      next = initial;
    }
    healthySince = null;
    Duration delay = next;
    next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
    return delay;
  }
}
