package io.drover.agent.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.v1.Welcome;
import org.junit.jupiter.api.Test;

class ControllerLinkTest {
  private static long interval(int ms) {
    return ControllerLink.telemetryInterval(
        Welcome.newBuilder().setTelemetryIntervalMs(ms).build());
  }

  @Test
  void theHeartbeatIsWhatTheWelcomeAsksDownTo100Ms() {
    assertThat(interval(100)).isEqualTo(100);
    assertThat(interval(250)).isEqualTo(250);
    assertThat(interval(60_000)).isEqualTo(60_000);
    assertThat(interval(20)).as("below the floor").isEqualTo(100);
    assertThat(interval(0)).as("not given").isEqualTo(1000);
  }
}
