package io.drover.controller.grpc;

import java.util.function.LongSupplier;

/**
 * A token bucket for one kind of message on one stream: {@code perSecond} on average, with a burst
 * of two seconds' worth (at least 10) so that messages bunched by a stall on the network pass. Not
 * thread-safe: gRPC delivers a stream's messages one at a time.
 */
final class RateLimit {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  RateLimit(int perSecond, LongSupplier nanoTime) {
    this.perNano = perSecond / 1e9;
    this.burst = Math.max(10, 2.0 * perSecond);
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes one message's token; false when the bucket is empty. */
  boolean tryTake() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  int burst() {
    return (int) burst;
  }
}
