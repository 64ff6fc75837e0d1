package io.drover.controller.scheduling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/** Moments within a sliding window: how many errors or crashes an instance had lately. */
final class RecentTimes {
  private final ArrayDeque<Instant> times = new ArrayDeque<>();

  /**
   * Records {@code now} and forgets what is older than {@code window}.
   *
   * @return how many moments the window holds, {@code now} included
   */
  int add(Instant now, Duration window) {
    times.addLast(now);
    Instant oldest = now.minus(window);
    while (!times.isEmpty() && times.peekFirst().isBefore(oldest)) {
      times.removeFirst();
    }
    return times.size();
  }
}
