package io.drover.controller.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.net.PortRange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortPoolTest {
  static final Duration QUARANTINE = Duration.ofSeconds(30);
  static final Duration FOREIGN = Duration.ofMinutes(5);
  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void allocatesDistinctPortsRoundTheRange() {
    PortPool pool = new PortPool("n1", new PortRange(20000, 20004), QUARANTINE, FOREIGN);
    assertThat(pool.allocate(2, t0)).containsExactly(20000, 20001);
    assertThat(pool.allocate(1, t0)).containsExactly(20002);
    pool.release(20000, t0);
    // 20000 rests; the cursor goes on before coming round.
    assertThat(pool.allocate(2, t0)).containsExactly(20003, 20004);
    assertThatThrownBy(() -> pool.allocate(1, t0))
        .isInstanceOf(ResourceExhaustedException.class)
        .hasMessage("node n1: no 1 free port in 20000-20004 (4 allocated, 1 resting)");
    assertThat(pool.allocate(1, t0.plus(QUARANTINE))).containsExactly(20000);
  }

  @Test
  void exhaustionTakesNothing() {
    PortPool pool = new PortPool("n1", new PortRange(20000, 20002), QUARANTINE, FOREIGN);
    pool.allocate(2, t0);
    assertThatThrownBy(() -> pool.allocate(2, t0)).hasMessageContaining("no 2 free ports");
    assertThat(pool.allocatedCount()).isEqualTo(2);
    assertThat(pool.allocate(1, t0)).containsExactly(20002);
  }

  @Test
  void foreignPortsAreAvoidedForTheirHold() {
    PortPool pool = new PortPool("n1", new PortRange(20000, 20001), QUARANTINE, FOREIGN);
    List<Integer> ports = pool.allocate(1, t0);
    pool.markForeign(ports.get(0), t0);
    assertThat(pool.allocate(1, t0)).containsExactly(20001);
    assertThat(pool.freeCount(t0)).isZero();
    assertThat(pool.freeCount(t0.plus(FOREIGN))).isEqualTo(1);
  }

  @Test
  void claimRecordsPortsOfRunningInstances() {
    PortPool pool = new PortPool("n1", new PortRange(20000, 20009), QUARANTINE, FOREIGN);
    assertThat(pool.claim(20005)).isTrue();
    assertThat(pool.claim(20005)).isFalse();
    assertThat(pool.claim(30000)).isFalse();
    for (int i = 0; i < 9; i++) {
      assertThat(pool.allocate(1, t0)).doesNotContain(20005);
    }
  }

  /**
   * 100,000 random allocate, release and fail steps never yield a duplicate, a port outside the
   * range, or a port handed out again while it rests.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 42, 2026})
  void randomStepsKeepEveryInvariant(long seed) {
    Random random = new Random(seed);
    PortRange range = new PortRange(20000, 20199);
    PortPool pool = new PortPool("n1", range, QUARANTINE, FOREIGN);
    Map<Integer, Instant> restingUntil = new HashMap<>();
    Set<Integer> held = new HashSet<>();
    List<Integer> heldList = new ArrayList<>();
    Instant now = t0;
    int exhausted = 0;
    for (int step = 0; step < 100_000; step++) {
      now = now.plusMillis(random.nextInt(400));
      int action = random.nextInt(10);
      if (action < 5) {
        int count = 1 + random.nextInt(3);
        try {
          for (int port : pool.allocate(count, now)) {
            assertThat(range.contains(port)).as("in range").isTrue();
            assertThat(held.add(port)).as("port %d handed out twice", port).isTrue();
            Instant until = restingUntil.get(port);
            assertThat(until == null || !until.isAfter(now))
                .as("port %d reused while resting", port)
                .isTrue();
            heldList.add(port);
          }
        } catch (ResourceExhaustedException e) {
          exhausted++;
          assertThat(pool.freeCount(now)).isLessThan(count);
        }
      } else if (!heldList.isEmpty()) {
        int port = heldList.remove(random.nextInt(heldList.size()));
        held.remove(port);
        if (action < 9) {
          pool.release(port, now);
          restingUntil.put(port, now.plus(QUARANTINE));
        } else {
          pool.markForeign(port, now);
          restingUntil.put(port, now.plus(FOREIGN));
        }
      }
      assertThat(pool.allocatedCount()).isEqualTo(held.size());
    }
    // The run must have pushed the pool to its limit, or exhaustion was never tested.
    assertThat(exhausted).isPositive();
  }
}
