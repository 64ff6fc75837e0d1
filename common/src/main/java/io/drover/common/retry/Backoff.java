package io.drover.common.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter. Each failure doubles the delay up to the cap; each delay
 * is spread by +-{@code jitter} so that a fleet of agents that lost the controller at the same
 * moment does not come back in one wave. Not thread-safe: one per retry loop.
 */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final double jitter;
  private final DoubleSupplier random;
  private int failures;

  /**
   * @param jitter fraction of the delay to spread by, 0..1
   * @param random uniform numbers in [0, 1)
   */
  public Backoff(Duration initial, Duration max, double jitter, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within 0..1, got " + jitter);
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.jitter = jitter;
    this.random = random;
  }

  public static Backoff withJitter(Duration initial, Duration max) {
    return new Backoff(initial, max, 0.2, Math::random);
  }

  /** The delay before the next attempt; grows with each call until {@link #reset()}. */
  public Duration nextDelay() {
    // Shifting past 2^20 is pointless: the cap is reached long before.
    long base = Math.min(maxMillis, initialMillis << Math.min(failures, 20));
    failures++;
    double spread = 1 + jitter * (2 * random.getAsDouble() - 1);
    long delay = Math.round(base * spread);
    return Duration.ofMillis(Math.max(1, Math.min(maxMillis, delay)));
  }

  /** The number of delays handed out since the last reset. */
  public int failures() {
    return failures;
  }

  /** Call after a success: the next delay starts from the initial one again. */
  public void reset() {
    failures = 0;
  }
}
