package io.drover.common.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesUpToTheCapWithoutJitter() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, () -> 0.5);
    List<Long> seconds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      seconds.add(b.nextDelay().toSeconds());
    }
    assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
  }

  @Test
  void jitterStaysWithinItsBandAndNeverPassesTheCap() {
    Random random = new Random(42);
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, random::nextDouble);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 1000; i++) {
      b.reset();
      long first = b.nextDelay().toMillis();
      min = Math.min(min, first);
      max = Math.max(max, first);
      for (int k = 0; k < 10; k++) {
        assertThat(b.nextDelay()).isLessThanOrEqualTo(Duration.ofSeconds(30));
      }
    }
    assertThat(min).isBetween(800L, 850L);
    assertThat(max).isBetween(1150L, 1200L);
  }

  @Test
  void resetStartsOver() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);
    b.nextDelay();
    b.nextDelay();
    assertThat(b.failures()).isEqualTo(2);
    b.reset();
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(100));
  }
}
