package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
  private final MutableClock clock = new MutableClock();
  private final RestartBackoff backoff = new RestartBackoff(clock);

  @Test
  void doublesFromOneSecondUpToAMinute() {
    List<Long> seconds = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      seconds.add(backoff.crashed().toSeconds());
    }
    assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
  }

  @Test
  void startsAgainOnceTheInstanceRanHealthyForAMinute() {
    for (int i = 0; i < 5; i++) {
      backoff.crashed();
    }
    backoff.healthy();
    clock.advance(Duration.ofSeconds(60));
    assertThat(backoff.crashed()).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.crashed()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void lessThanAMinuteHealthyKeepsTheDelayGrowing() {
    backoff.crashed();
    backoff.crashed();
    backoff.healthy();
    clock.advance(Duration.ofSeconds(59));
    assertThat(backoff.crashed()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void healthyTimeCountsFromTheFirstHealthyReportAndRestartsAfterFailedChecks() {
    backoff.crashed();
    backoff.healthy();
    clock.advance(Duration.ofSeconds(30));
    backoff.healthy(); // a later report does not move the start
    clock.advance(Duration.ofSeconds(30));
    assertThat(backoff.crashed()).as("60 s healthy").isEqualTo(Duration.ofSeconds(1));

    backoff.healthy();
    clock.advance(Duration.ofSeconds(50));
    backoff.unhealthy();
    backoff.healthy();
    clock.advance(Duration.ofSeconds(50));
    assertThat(backoff.crashed())
        .as("healthy only 50 s at a stretch")
        .isEqualTo(Duration.ofSeconds(2));
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
