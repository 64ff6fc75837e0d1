package io.drover.controller.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.catalog.ScalingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The engine against a load model ({@link LoadModel}: per-instance CPU = total load / instances,
 * seen one interval late), stepping simulated time one second at a time. One target, cpu at 70%;
 * interval 5s, so the lag is 5s. The figures are asserted exactly, as the model is deterministic,
 * and against the bound each scenario promises; docs/SCALING.md quotes them.
 */
class AutoscalerSimulationTest {
  private static final int INTERVAL = 5;
  private static final int LAG = INTERVAL;

  private static ScalingPolicy policy(
      int upStabilization,
      int downStabilization,
      int upCooldown,
      int downCooldown,
      int maxStepUp,
      int maxStepDown) {
    return new ScalingPolicy(
        Duration.ofSeconds(INTERVAL),
        Duration.ofSeconds(upStabilization),
        Duration.ofSeconds(downStabilization),
        Duration.ofSeconds(upCooldown),
        Duration.ofSeconds(downCooldown),
        maxStepUp,
        maxStepDown,
        true,
        Duration.ofSeconds(5),
        List.of(new ScalingPolicy.Target("cpu", 70)),
        List.of());
  }

  /** The catalog's defaults: 0s/60s windows, 10s/30s cooldowns, steps 4 and 1. */
  private static final ScalingPolicy DEFAULTS = policy(0, 60, 10, 30, 4, 1);

  // ---- (a) a step of load ----

  /** 2 instances at 50% each, then at second 62 six times the load: ceil(600 / 70) = 9. */
  private static final IntToDoubleFunction STEP_UP = t -> t < 62 ? 100 : 600;

  @Test
  void aStepOfLoadScalesUpToWhatTheTargetImpliesWithinTheBound() {
    // upCooldown no longer than the interval, so that each step costs one interval.
    int upStabilization = 15;
    LoadModel model =
        new LoadModel(policy(upStabilization, 60, INTERVAL, 30, 4, 1), 1, 20, 2, STEP_UP).run(400);

    int steps = 2; // 2 → 6 → 9 with maxStepUp 4
    int reached = model.firstAt(62, 9);
    // From the step: the lag, then the up window, then one interval per step.
    assertThat(reached - 62).isLessThanOrEqualTo(LAG + upStabilization + INTERVAL * steps);
    assertThat(reached - 62).isEqualTo(23);
    assertThat(model.changes())
        .extracting(LoadModel.Change::second, LoadModel.Change::from, LoadModel.Change::to)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(80, 2, 6),
            org.assertj.core.groups.Tuple.tuple(85, 6, 9));
    assertThat(model.changes().get(0).message())
        .isEqualTo(
            "scaled svc 2→6: cpu 300% > target 70% (desired ceil(2 × 300 / 70) = 9, limited by"
                + " maxStepUp 4)");
    // No overshoot, and it stays there.
    assertThat(model.maxCount(0, 400)).isEqualTo(9);
    assertThat(model.countAt(399)).isEqualTo(9);
  }

  @Test
  void withTheDefaultUpCooldownEachFurtherStepWaitsForIt() {
    LoadModel model = new LoadModel(DEFAULTS, 1, 20, 2, STEP_UP).run(400);

    int reached = model.firstAt(62, 9);
    // The lag, the next evaluation, then upCooldown (10s, two intervals) per further step.
    assertThat(reached - 62).isLessThanOrEqualTo(LAG + INTERVAL + 10 * (2 - 1));
    assertThat(reached - 62).isEqualTo(18);
    assertThat(model.changes()).extracting(LoadModel.Change::second).containsExactly(70, 80);
    assertThat(model.maxCount(0, 400)).isEqualTo(9);
  }

  // ---- (b) the load goes away ----

  @Test
  void removingTheLoadScalesDownOnlyAfterTheDownStabilization() {
    // 9 instances carrying 600 (67% each), then at second 100 the load falls to 100: 2 needed.
    LoadModel model = new LoadModel(DEFAULTS, 1, 20, 9, t -> t < 100 ? 600 : 100).run(600);

    int firstDown = model.changes().get(0).second();
    assertThat(model.minCount(0, 100 + 60)).isEqualTo(9);
    assertThat(firstDown).isGreaterThanOrEqualTo(100 + 60);
    assertThat(firstDown).isLessThanOrEqualTo(100 + LAG + INTERVAL + 60);
    assertThat(firstDown).isEqualTo(160);
    // Then one instance (maxStepDown) per downCooldown (30s): 7 steps to 2.
    assertThat(model.changes()).hasSize(7).allMatch(c -> c.to() == c.from() - 1);
    assertThat(model.firstAt(100, 2)).isEqualTo(160 + 6 * 30);
    assertThat(model.minCount(0, 600)).isEqualTo(2);
    assertThat(model.changes().get(0).message())
        .isEqualTo(
            "scaled svc 9→8: cpu 11.1% < target 70% (desired ceil(9 × 11.1 / 70) = 2, limited by"
                + " maxStepDown 1)");
  }

  // ---- (c) a sinusoidal load ----

  /** 420 ± 50% over a 2-minute period: 6 instances at the mean, 3 at the trough, 9 at the peak. */
  private static final IntToDoubleFunction WAVE =
      t -> 420 * (1 + 0.5 * Math.sin(2 * Math.PI * t / 120.0));

  private static final int HALF_HOUR = 1800;
  private static final int PERIODS = HALF_HOUR / 120;

  /**
   * The bound: at most one scale-down per period, and scale-ups at most the scale-downs plus the 3
   * from the initial 6 to the peak's 9, so {@code 2 × 15 + 3 = 33} changes in 30 minutes. Why one
   * scale-down: the load is above 8 × 70 = 560 (so the recommendation is 9) for 32 s of each
   * period, and the 60 s down window keeps that 9 for another 60 s; only the remaining 28 s allow a
   * scale-down, and after one (or after any change) downCooldown forbids another for 30 s. The
   * count never passes 9, as the up cooldown (10 s) outlasts the lag (5 s) and no scale-up acts on
   * a metric older than the last scale-up.
   */
  @Test
  void aSinusoidalLoadChangesTheCountAtMostTwicePerPeriod() {
    LoadModel model = new LoadModel(DEFAULTS, 1, 20, 6, WAVE).run(HALF_HOUR);

    List<LoadModel.Change> changes = model.changes();
    long ups = changes.stream().filter(c -> c.to() > c.from()).count();
    long downs = changes.size() - ups;
    assertThat(changes.size()).isLessThanOrEqualTo(2 * PERIODS + 3);
    assertThat(downs).isLessThanOrEqualTo(PERIODS);
    assertThat(ups).isLessThanOrEqualTo(downs + 3);
    for (int p = 0; p < PERIODS; p++) {
      int from = p * 120;
      assertThat(
              changes.stream()
                  .filter(c -> c.second() >= from && c.second() < from + 120 && c.to() < c.from())
                  .count())
          .as("scale-downs in period %d", p)
          .isLessThanOrEqualTo(1);
    }
    assertThat(model.maxCount(0, HALF_HOUR)).isEqualTo(9);
    // The figures: 31 changes (16 up, 15 down); after the first period the count stays 8 or 9.
    assertThat(changes).hasSize(31);
    assertThat(ups).isEqualTo(16);
    assertThat(model.minCount(120, HALF_HOUR)).isEqualTo(8);
  }

  @Test
  void withoutWindowsAndCooldownsTheSameLoadFlaps() {
    LoadModel naive = new LoadModel(policy(0, 0, 0, 0, 1000, 1000), 1, 20, 6, WAVE).run(HALF_HOUR);
    LoadModel noWindow = new LoadModel(policy(0, 0, 10, 30, 4, 1), 1, 20, 6, WAVE).run(HALF_HOUR);

    assertThat(naive.changes()).hasSize(179);
    assertThat(naive.minCount(120, HALF_HOUR)).isEqualTo(3);
    assertThat(noWindow.changes()).hasSize(75);
  }

  @Test
  void aDownWindowLongerThanThePeriodHoldsThePeak() {
    LoadModel model = new LoadModel(policy(0, 120, 10, 30, 4, 1), 1, 20, 6, WAVE).run(HALF_HOUR);

    assertThat(model.changes()).hasSize(2); // 6 → 7 → 9 as the first peak comes
    assertThat(model.minCount(120, HALF_HOUR)).isEqualTo(9);
  }
}
