package io.drover.controller.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.catalog.ScalingPolicy;
import io.drover.controller.catalog.ScalingPolicy.Condition;
import io.drover.controller.catalog.ScalingPolicy.Rule;
import io.drover.controller.catalog.ScalingPolicy.Target;
import io.drover.controller.scaling.ScalingDecision.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's rules one at a time, in simulated time: messages are checked word for word. */
class AutoscalerTest {
  private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
  private static final Target CPU_70 = new Target("cpu", 70);

  private final Autoscaler engine = new Autoscaler();

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static Map<String, Double> cpu(double percent) {
    return Map.of("cpu", percent);
  }

  /** A policy with the defaults but these windows, cooldowns and steps. */
  private static ScalingPolicy policy(
      int upStabilization,
      int downStabilization,
      int upCooldown,
      int downCooldown,
      int maxStepUp,
      int maxStepDown,
      List<Target> targets,
      List<Rule> rules) {
    return new ScalingPolicy(
        Duration.ofSeconds(5),
        Duration.ofSeconds(upStabilization),
        Duration.ofSeconds(downStabilization),
        Duration.ofSeconds(upCooldown),
        Duration.ofSeconds(downCooldown),
        maxStepUp,
        maxStepDown,
        true,
        Duration.ofSeconds(5),
        targets,
        rules);
  }

  /** No windows, no cooldowns, steps as large as the max allows: the raw arithmetic. */
  private static ScalingPolicy unlimited(List<Target> targets, List<Rule> rules) {
    return policy(0, 0, 0, 0, 1000, 1000, targets, rules);
  }

  private ScalingDecision eval(
      ScalingPolicy policy, int current, Map<String, Double> metrics, int seconds) {
    return engine.evaluate("orders", policy, current, 1, 100, metrics, at(seconds));
  }

  // ---- target tracking ----

  @Test
  void targetTrackingScalesToCeilOfCurrentTimesValueOverTarget() {
    ScalingPolicy policy = unlimited(List.of(CPU_70), List.of());

    ScalingDecision up = eval(policy, 2, cpu(90), 0);

    assertThat(up.kind()).isEqualTo(Kind.SCALED);
    assertThat(up.desired()).isEqualTo(3);
    assertThat(up.message())
        .isEqualTo("scaled orders 2→3: cpu 90% > target 70% (desired ceil(2 × 90 / 70) = 3)");
    assertThat(up.changes()).isTrue();
    assertThat(up.reportable()).isTrue();

    ScalingDecision down = eval(policy, 10, cpu(20), 5);
    assertThat(down.desired()).isEqualTo(3);
    assertThat(down.message())
        .isEqualTo("scaled orders 10→3: cpu 20% < target 70% (desired ceil(10 × 20 / 70) = 3)");
  }

  @Test
  void aValueAtTheTargetKeepsTheCountEvenWhenTheArithmeticIsInexact() {
    ScalingPolicy policy = unlimited(List.of(new Target("requests.p99", 0.7)), List.of());

    ScalingDecision d = eval(policy, 3, Map.of("requests.p99", 0.7), 0);

    assertThat(3 * 0.7 / 0.7).isNotEqualTo(3.0); // 2.9999999999999996: the reason for the care
    assertThat(d.kind()).isEqualTo(Kind.STEADY);
    assertThat(d.desired()).isEqualTo(3);
    assertThat(d.message())
        .isEqualTo(
            "orders stays at 3: requests.p99 0.7 s = target 0.7 s"
                + " (desired ceil(3 × 0.7 / 0.7) = 3)");
    assertThat(d.reportable()).isFalse();
    assertThat(Recommendation.ceil(3.0000001)).isEqualTo(4);
    assertThat(Recommendation.ceil(0.001)).isEqualTo(1);
    assertThat(Recommendation.ceil(-2)).isZero();
  }

  @Test
  void theBriefsExampleWordForWord() {
    ScalingPolicy policy =
        policy(0, 60, 10, 30, 1, 1, List.of(new Target("requests.p99", 0.25)), List.of());

    ScalingDecision d = eval(policy, 2, Map.of("requests.p99", 0.42), 0);

    assertThat(d.message())
        .isEqualTo(
            "scaled orders 2→3: requests.p99 0.42 s > target 0.25 s"
                + " (desired ceil(2 × 0.42 / 0.25) = 4, limited by maxStepUp 1)");
  }

  @Test
  void unitsFollowTheMetric() {
    assertThat(Metrics.show("cpu", 12.3456)).isEqualTo("cpu 12.3%");
    assertThat(Metrics.show("heap", 80)).isEqualTo("heap 80%");
    assertThat(Metrics.show("requests.p99", 0.4213)).isEqualTo("requests.p99 0.421 s");
    assertThat(Metrics.show("requests.mean", 0.002)).isEqualTo("requests.mean 0.002 s");
    assertThat(Metrics.show("requests.rate1m", 1234.56)).isEqualTo("requests.rate1m 1235/s");
    assertThat(Metrics.show("queue_depth", 7)).isEqualTo("queue_depth 7");
    assertThat(Metrics.number(0)).isEqualTo("0");
    assertThat(Metrics.number(-0.0)).isEqualTo("0");
    assertThat(Metrics.number(99.95)).isEqualTo("100");
  }

  // ---- several targets and rules ----

  @Test
  void theLargestRecommendationWins() {
    ScalingPolicy policy =
        unlimited(
            List.of(CPU_70, new Target("heap", 80), new Target("requests.p99", 0.25)), List.of());

    ScalingDecision d = eval(policy, 4, Map.of("cpu", 35.0, "heap", 90.0, "requests.p99", 0.3), 0);

    // cpu: ceil(4 × 35 / 70) = 2; heap: ceil(4 × 90 / 80) = 5; p99: ceil(4 × 0.3 / 0.25) = 5
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.message())
        .isEqualTo("scaled orders 4→5: heap 90% > target 80% (desired ceil(4 × 90 / 80) = 5)");
    assertThat(d.details())
        .containsExactly(
            "cpu 35% < target 70%: desired ceil(4 × 35 / 70) = 2",
            "heap 90% > target 80%: desired ceil(4 × 90 / 80) = 5",
            "requests.p99 0.3 s > target 0.25 s: desired ceil(4 × 0.3 / 0.25) = 5");
  }

  @Test
  void aFiringRuleCombinesWithTheTargetsAndScaleUpWins() {
    ScalingPolicy policy =
        unlimited(
            List.of(CPU_70),
            List.of(
                new Rule("requests.rate1m", Condition.ABOVE, 100, 1),
                new Rule("cpu", Condition.BELOW, 10, -1)));

    ScalingDecision ruleWins = eval(policy, 3, Map.of("cpu", 50.0, "requests.rate1m", 130.0), 0);
    assertThat(ruleWins.desired()).isEqualTo(4);
    assertThat(ruleWins.message())
        .isEqualTo(
            "scaled orders 3→4: requests.rate1m 130/s > 100/s (rule: add 1, desired 3 + 1 = 4)");

    // The target asks for 1, the cpu rule for 3 - 1 = 2: the larger wins.
    ScalingDecision downRule = eval(policy, 3, Map.of("cpu", 5.0, "requests.rate1m", 20.0), 5);
    assertThat(downRule.desired()).isEqualTo(2);
    assertThat(downRule.message())
        .isEqualTo("scaled orders 3→2: cpu 5% < 10% (rule: remove 1, desired 3 - 1 = 2)");

    // A quiet rule does not stand in the way of the target's scale-down.
    ScalingDecision targetOnly = eval(policy, 6, Map.of("cpu", 30.0, "requests.rate1m", 20.0), 10);
    assertThat(targetOnly.desired()).isEqualTo(3);
    assertThat(targetOnly.details())
        .containsExactly(
            "cpu 30% < target 70%: desired ceil(6 × 30 / 70) = 3",
            "rule requests.rate1m above 100/s: requests.rate1m 20/s, quiet",
            "rule cpu below 10%: cpu 30%, quiet");
  }

  @Test
  void rulesAloneHoldSteadyWhileQuiet() {
    ScalingPolicy policy =
        policy(
            0,
            60,
            0,
            0,
            4,
            1,
            List.of(),
            List.of(
                new Rule("cpu", Condition.BELOW, 10, -1), new Rule("cpu", Condition.ABOVE, 80, 2)));

    ScalingDecision quiet = eval(policy, 3, cpu(50), 0);
    assertThat(quiet.kind()).isEqualTo(Kind.STEADY);
    assertThat(quiet.message())
        .isEqualTo(
            "orders stays at 3: no rule fires (cpu 50% not below 10%, cpu 50% not above 80%)");

    // The quiet evaluation recommended 3, and the down window remembers it.
    ScalingDecision fires = eval(policy, 3, cpu(5), 5);
    assertThat(fires.kind()).isEqualTo(Kind.HELD);
    assertThat(fires.message())
        .isEqualTo(
            "would scale orders down 3→2 (cpu 5% < 10%), but stabilization holds until 12:01:00");

    ScalingDecision up = eval(policy, 3, cpu(95), 10);
    assertThat(up.message())
        .isEqualTo("scaled orders 3→5: cpu 95% > 80% (rule: add 2, desired 3 + 2 = 5)");
  }

  // ---- missing metrics ----

  @Test
  void withoutMetricsNothingIsRecommendedAndTheDecisionSaysWhy() {
    ScalingPolicy policy = unlimited(List.of(CPU_70), List.of());

    ScalingDecision none = eval(policy, 3, Map.of(), 0);

    assertThat(none.kind()).isEqualTo(Kind.STEADY);
    assertThat(none.desired()).isEqualTo(3);
    assertThat(none.message())
        .isEqualTo(
            "orders stays at 3: no ready instance reports metrics yet, so no target or rule"
                + " recommends anything");
    assertThat(none.details()).containsExactly("target cpu: no value, no recommendation");

    ScalingDecision noSuch =
        eval(unlimited(List.of(new Target("requests.p99", 1)), List.of()), 3, cpu(50), 5);
    assertThat(noSuch.message())
        .isEqualTo(
            "orders stays at 3: no value for requests.p99, so no target or rule recommends"
                + " anything");
  }

  @Test
  void aTargetWithoutItsMetricStandsAsideAndTheMessageSaysSo() {
    ScalingPolicy policy =
        unlimited(
            List.of(CPU_70, new Target("heap", 80)),
            List.of(new Rule("requests.rate1m", Condition.ABOVE, 100, 1)));

    ScalingDecision d = eval(policy, 2, Map.of("cpu", 140.0, "heap", Double.NaN), 0);

    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.message())
        .isEqualTo(
            "scaled orders 2→4: cpu 140% > target 70% (desired ceil(2 × 140 / 70) = 4);"
                + " no value for heap, requests.rate1m");
  }

  @Test
  void anEvaluationWithoutMetricsIsNotRememberedByTheWindows() {
    ScalingPolicy policy = policy(10, 0, 0, 0, 4, 1, List.of(CPU_70), List.of());

    eval(policy, 2, cpu(70), 0); // recommends 2
    eval(policy, 2, Map.of(), 5); // nothing to remember
    ScalingDecision d = eval(policy, 2, cpu(140), 10); // the window (0s, 10s] holds only this 4

    assertThat(d.desired()).isEqualTo(4);
  }

  // ---- interval ----

  @Test
  void evaluatesAtMostOncePerInterval() {
    ScalingPolicy policy = unlimited(List.of(CPU_70), List.of());

    assertThat(eval(policy, 2, cpu(70), 0).kind()).isEqualTo(Kind.STEADY);
    ScalingDecision early = eval(policy, 2, cpu(140), 4);
    assertThat(early.kind()).isEqualTo(Kind.NOT_DUE);
    assertThat(early.desired()).isEqualTo(2);
    assertThat(early.message()).isEmpty();
    assertThat(eval(policy, 2, cpu(140), 5).desired()).isEqualTo(4);
  }

  // ---- stabilization windows ----

  @Test
  void downStabilizationHoldsUntilTheHigherRecommendationsLeaveTheWindow() {
    ScalingPolicy policy = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());

    assertThat(eval(policy, 3, cpu(70), 0).kind()).isEqualTo(Kind.STEADY);
    ScalingDecision held = eval(policy, 3, cpu(12), 5);

    assertThat(held.kind()).isEqualTo(Kind.HELD);
    assertThat(held.desired()).isEqualTo(3);
    assertThat(held.message())
        .isEqualTo(
            "would scale orders down 3→2 (cpu 12% < target 70%), but stabilization holds until"
                + " 12:01:00");
    assertThat(held.heldUntil()).contains(at(60));
    assertThat(held.repeated()).isFalse();
    assertThat(held.reportable()).isTrue();

    ScalingDecision again = eval(policy, 3, cpu(12), 55);
    assertThat(again.kind()).isEqualTo(Kind.HELD);
    assertThat(again.repeated()).isTrue();
    assertThat(again.reportable()).isFalse();

    ScalingDecision down = eval(policy, 3, cpu(12), 60);
    assertThat(down.desired()).isEqualTo(2);
    assertThat(down.message())
        .isEqualTo(
            "scaled orders 3→2: cpu 12% < target 70% (desired ceil(3 × 12 / 70) = 1, limited by"
                + " maxStepDown 1)");
  }

  @Test
  void downStabilizationScalesDownOnlyToTheHighestRecommendationOfTheWindow() {
    ScalingPolicy policy = policy(0, 60, 0, 0, 4, 4, List.of(CPU_70), List.of());

    eval(policy, 5, cpu(70), 0); // recommends 5
    eval(policy, 5, cpu(56), 30); // recommends ceil(5 × 56 / 70) = 4, held by the 5
    ScalingDecision d = eval(policy, 5, cpu(10), 65); // recommends 1; the window holds 4 and 1

    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.message())
        .isEqualTo(
            "scaled orders 5→4: cpu 10% < target 70% (desired ceil(5 × 10 / 70) = 1, limited by"
                + " downStabilization to 4 (the highest recommendation over 1m))");
  }

  @Test
  void upStabilizationScalesUpOnlyToTheLowestRecommendationOfTheWindow() {
    ScalingPolicy policy = policy(15, 0, 0, 0, 10, 1, List.of(CPU_70), List.of());

    eval(policy, 2, cpu(70), 0); // recommends 2
    ScalingDecision held = eval(policy, 2, cpu(140), 5); // recommends 4
    assertThat(held.message())
        .isEqualTo(
            "would scale orders up 2→4 (cpu 140% > target 70%), but stabilization holds until"
                + " 12:00:15");
    assertThat(held.heldUntil()).contains(at(15));
    eval(policy, 2, cpu(105), 10); // recommends 3

    ScalingDecision partly = eval(policy, 2, cpu(140), 15); // window: 4, 3, 4
    assertThat(partly.desired()).isEqualTo(3);
    assertThat(partly.message())
        .isEqualTo(
            "scaled orders 2→3: cpu 140% > target 70% (desired ceil(2 × 140 / 70) = 4, limited"
                + " by upStabilization to 3 (the lowest recommendation over 15s))");

    // From 3, cpu 140% recommends 6; the window (5s, 20s] still holds the 3 of second 10.
    assertThat(eval(policy, 3, cpu(140), 20).kind()).isEqualTo(Kind.HELD);
    // The window (10s, 25s] holds 4, 6 and 6.
    assertThat(eval(policy, 3, cpu(140), 25).desired()).isEqualTo(4);
  }

  // ---- cooldowns ----

  @Test
  void afterAScaleUpNoFurtherScaleUpForTheUpCooldown() {
    ScalingPolicy policy = policy(0, 0, 10, 30, 4, 1, List.of(CPU_70), List.of());

    assertThat(eval(policy, 2, cpu(140), 0).desired()).isEqualTo(4);
    ScalingDecision held = eval(policy, 4, cpu(105), 5);

    assertThat(held.kind()).isEqualTo(Kind.HELD);
    assertThat(held.message())
        .isEqualTo(
            "would scale orders up 4→6 (cpu 105% > target 70%), but the cooldown of the last"
                + " scale-up holds until 12:00:10");
    assertThat(held.heldUntil()).contains(at(10));
    assertThat(eval(policy, 4, cpu(105), 10).desired()).isEqualTo(6);
  }

  @Test
  void afterAnyScaleChangeNoScaleDownForTheDownCooldown() {
    ScalingPolicy policy = policy(0, 0, 10, 30, 4, 1, List.of(CPU_70), List.of());

    assertThat(eval(policy, 2, cpu(105), 0).desired()).isEqualTo(3);
    ScalingDecision held = eval(policy, 3, cpu(12), 5);
    assertThat(held.message())
        .isEqualTo(
            "would scale orders down 3→2 (cpu 12% < target 70%), but the cooldown of the last"
                + " scale-up holds until 12:00:30");
    assertThat(held.heldUntil()).contains(at(30));

    assertThat(eval(policy, 3, cpu(12), 30).desired()).isEqualTo(2);
    ScalingDecision afterDown = eval(policy, 2, cpu(12), 35);
    assertThat(afterDown.message())
        .isEqualTo(
            "would scale orders down 2→1 (cpu 12% < target 70%), but the cooldown of the last"
                + " scale-down holds until 12:01:00");
    // A scale-down does not hold the next scale-up.
    assertThat(eval(policy, 2, cpu(140), 40).desired()).isEqualTo(4);
  }

  @Test
  void whenAWindowAndACooldownBothHoldTheMessageNamesBoth() {
    ScalingPolicy policy = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());

    eval(policy, 2, cpu(105), 0); // 2→3
    ScalingDecision d = eval(policy, 3, cpu(12), 5);

    assertThat(d.message())
        .isEqualTo(
            "would scale orders down 3→2 (cpu 12% < target 70%), but stabilization holds until"
                + " 12:01:00 and the cooldown of the last scale-up until 12:00:30");
    assertThat(d.heldUntil()).contains(at(60));
  }

  @Test
  void timesAreWrittenInTheEnginesZone() {
    Autoscaler paris = new Autoscaler(ZoneId.of("Europe/Paris"));
    ScalingPolicy policy = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());

    paris.evaluate("orders", policy, 3, 1, 10, cpu(70), at(0));
    ScalingDecision d = paris.evaluate("orders", policy, 3, 1, 10, cpu(12), at(5));

    assertThat(d.message()).endsWith("holds until 13:01:00");
  }

  // ---- steps and bounds ----

  @Test
  void maxStepsLimitEachEvaluation() {
    ScalingPolicy policy = policy(0, 0, 0, 0, 3, 2, List.of(CPU_70), List.of());

    ScalingDecision up = eval(policy, 2, cpu(700), 0);
    assertThat(up.desired()).isEqualTo(5);
    assertThat(up.message())
        .isEqualTo(
            "scaled orders 2→5: cpu 700% > target 70% (desired ceil(2 × 700 / 70) = 20, limited by"
                + " maxStepUp 3)");

    ScalingDecision down = eval(policy, 10, cpu(7), 5);
    assertThat(down.desired()).isEqualTo(8);
    assertThat(down.message())
        .endsWith("(desired ceil(10 × 7 / 70) = 1, limited by maxStepDown 2)");
  }

  @Test
  void minAndMaxBoundTheResult() {
    ScalingPolicy policy = unlimited(List.of(CPU_70), List.of());

    ScalingDecision toMax = engine.evaluate("orders", policy, 3, 2, 5, cpu(700), at(0));
    assertThat(toMax.desired()).isEqualTo(5);
    assertThat(toMax.message())
        .isEqualTo(
            "scaled orders 3→5: cpu 700% > target 70% (desired ceil(3 × 700 / 70) = 30, limited"
                + " by the max 5)");

    ScalingDecision atMax = engine.evaluate("orders", policy, 5, 2, 5, cpu(700), at(5));
    assertThat(atMax.kind()).isEqualTo(Kind.HELD);
    assertThat(atMax.heldUntil()).isEmpty();
    assertThat(atMax.message())
        .isEqualTo("would scale orders up 5→50 (cpu 700% > target 70%), but its max is 5");
    assertThat(engine.evaluate("orders", policy, 5, 2, 5, cpu(800), at(10)).repeated()).isTrue();

    ScalingDecision toMin = engine.evaluate("orders", policy, 4, 2, 5, cpu(1), at(15));
    assertThat(toMin.desired()).isEqualTo(2);
    assertThat(toMin.message()).endsWith("(desired ceil(4 × 1 / 70) = 1, limited by the min 2)");

    ScalingDecision atMin = engine.evaluate("orders", policy, 2, 2, 5, cpu(1), at(20));
    assertThat(atMin.kind()).isEqualTo(Kind.STEADY);
    assertThat(atMin.message())
        .isEqualTo(
            "orders stays at 2, its min: cpu 1% < target 70% (desired ceil(2 × 1 / 70) = 1)");

    ScalingDecision outside = engine.evaluate("orders", policy, 7, 2, 5, cpu(70), at(25));
    assertThat(outside.desired()).isEqualTo(5);
    assertThat(outside.message()).isEqualTo("scaled orders 7→5: 7 is above the max (5) of orders");
  }

  // ---- overload ----

  private ScalingDecision overload(
      ScalingPolicy policy, int current, int max, String instance, int seconds) {
    return engine.overload(
        "orders", policy, current, 1, max, instance, "p99 0.5 s > 0.25 s", at(seconds));
  }

  @Test
  void anOverloadReportAddsOneAtOnce() {
    ScalingPolicy policy = ScalingPolicy.of(List.of(), List.of());

    ScalingDecision d = overload(policy, 3, 10, "orders-2", 0);

    assertThat(d.kind()).isEqualTo(Kind.SCALED);
    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.message())
        .isEqualTo(
            "scaled orders 3→4: overload reported by orders-2: p99 0.5 s > 0.25 s (an overload"
                + " adds 1 at once)");
  }

  @Test
  void overloadReportsOfAServiceCountOncePerOverloadCooldown() {
    ScalingPolicy policy = ScalingPolicy.of(List.of(), List.of()); // 5s, upCooldown 10s

    assertThat(overload(policy, 3, 10, "orders-1", 0).desired()).isEqualTo(4);
    ScalingDecision duplicate = overload(policy, 4, 10, "orders-2", 1);
    ScalingDecision repeatedReport = overload(policy, 4, 10, "orders-1", 4);

    assertThat(duplicate.kind()).isEqualTo(Kind.IGNORED);
    assertThat(duplicate.desired()).isEqualTo(4);
    assertThat(duplicate.message())
        .isEqualTo(
            "overload of orders-2 not counted: a report of orders counted at 12:00:00, within the"
                + " overloadCooldown of 5s");
    assertThat(duplicate.reportable()).isFalse();
    assertThat(repeatedReport.kind()).isEqualTo(Kind.IGNORED);

    // Counted again after 5s, but the scale-up of second 0 holds until second 10.
    ScalingDecision held = overload(policy, 4, 10, "orders-3", 5);
    assertThat(held.kind()).isEqualTo(Kind.HELD);
    assertThat(held.message())
        .isEqualTo(
            "would scale orders up 4→5 (overload reported by orders-3: p99 0.5 s > 0.25 s), but the"
                + " cooldown of the last scale-up holds until 12:00:10");
    assertThat(held.heldUntil()).contains(at(10));
    assertThat(overload(policy, 4, 10, "orders-3", 8).kind()).isEqualTo(Kind.IGNORED);
    assertThat(overload(policy, 4, 10, "orders-3", 10).desired()).isEqualTo(5);
  }

  @Test
  void overloadStopsAtTheMaxAndCanBeTurnedOff() {
    ScalingPolicy policy = ScalingPolicy.of(List.of(), List.of());

    ScalingDecision atMax = overload(policy, 4, 4, "orders-1", 0);
    assertThat(atMax.kind()).isEqualTo(Kind.HELD);
    assertThat(atMax.message())
        .isEqualTo(
            "would scale orders up 4→5 (overload reported by orders-1: p99 0.5 s > 0.25 s), but"
                + " its max is 4");
    assertThat(atMax.reportable()).isTrue();
    assertThat(overload(policy, 4, 4, "orders-1", 5).reportable()).isFalse();

    ScalingPolicy off = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());
    ScalingPolicy noOverload =
        new ScalingPolicy(
            off.interval(),
            off.upStabilization(),
            off.downStabilization(),
            off.upCooldown(),
            off.downCooldown(),
            off.maxStepUp(),
            off.maxStepDown(),
            false,
            off.overloadCooldown(),
            off.targets(),
            off.rules());
    ScalingDecision ignored = engine.overload("other", noOverload, 2, 1, 10, "other-1", "slow", T0);
    assertThat(ignored.kind()).isEqualTo(Kind.IGNORED);
    assertThat(ignored.message())
        .isEqualTo("overload of other-1 not used: other scales with overload: false");
  }

  @Test
  void anOverloadScaleUpIsRememberedByTheDownWindowAndTheCooldowns() {
    ScalingPolicy policy = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());

    eval(policy, 3, cpu(70), 0);
    assertThat(overload(policy, 3, 10, "orders-1", 2).desired()).isEqualTo(4);
    ScalingDecision d = eval(policy, 4, cpu(20), 5);

    assertThat(d.message())
        .isEqualTo(
            "would scale orders down 4→3 (cpu 20% < target 70%), but stabilization holds until"
                + " 12:01:02 and the cooldown of the last scale-up until 12:00:32");
    // The overload's scale-up holds the targets' scale-ups too.
    assertThat(eval(policy, 4, cpu(140), 10).message())
        .isEqualTo(
            "would scale orders up 4→8 (cpu 140% > target 70%), but the cooldown of the last"
                + " scale-up holds until 12:00:12");
  }

  // ---- the operator's scale ----

  @Test
  void theOperatorsScaleIsWhereTheEngineContinuesFromAndCountsForTheCooldowns() {
    ScalingPolicy policy = policy(0, 0, 10, 30, 4, 1, List.of(CPU_70), List.of());

    eval(policy, 3, cpu(70), 0);
    engine.operatorScaled("orders", 8, at(3));

    ScalingDecision down = eval(policy, 8, cpu(20), 5);
    assertThat(down.message())
        .isEqualTo(
            "would scale orders down 8→7 (cpu 20% < target 70%), but the cooldown of the"
                + " operator's scale holds until 12:00:33");
    ScalingDecision up = eval(policy, 8, cpu(140), 10);
    assertThat(up.message())
        .isEqualTo(
            "would scale orders up 8→12 (cpu 140% > target 70%), but the cooldown of the"
                + " operator's scale-up holds until 12:00:13");
    assertThat(eval(policy, 8, cpu(20), 33).desired()).isEqualTo(7);

    // Scaling down by hand does not hold a scale-up.
    engine.operatorScaled("orders", 2, at(40));
    assertThat(eval(policy, 2, cpu(140), 41).desired()).isEqualTo(4);
    assertThat(eval(policy, 4, cpu(10), 46).message())
        .contains("but the cooldown of the last scale-up holds until 12:01:11");
  }

  @Test
  void aServiceSeenForTheFirstTimeIsNotScaledDownBeforeAFullDownWindow() {
    // As after a controller restart: the history is gone, and the count in force counts as a
    // recommendation of the first evaluation.
    ScalingPolicy policy = policy(0, 60, 10, 30, 4, 1, List.of(CPU_70), List.of());

    ScalingDecision first = eval(policy, 6, cpu(10), 1);
    assertThat(first.message())
        .isEqualTo(
            "would scale orders down 6→5 (cpu 10% < target 70%), but stabilization holds until"
                + " 12:01:01");
    assertThat(eval(policy, 6, cpu(140), 6).desired()).isEqualTo(10); // scale-ups are not held
    // Past the first window, the 12 recommended at second 6 still holds until second 66.
    assertThat(eval(policy, 10, cpu(7), 61).heldUntil()).contains(at(66));
    assertThat(eval(policy, 10, cpu(7), 66).desired()).isEqualTo(9);
  }

  @Test
  void forgettingAServiceStartsItAfresh() {
    ScalingPolicy policy = policy(0, 0, 10, 30, 4, 1, List.of(CPU_70), List.of());
    eval(policy, 3, cpu(140), 0); // 3→6, and a cooldown until second 10

    engine.forget("orders");

    assertThat(eval(policy, 6, cpu(140), 1).desired()).isEqualTo(10);
    engine.retain(List.of("other"));
    assertThat(eval(policy, 10, cpu(140), 2).desired()).isEqualTo(14);
    engine.retain(List.of("orders"));
    assertThat(eval(policy, 14, cpu(140), 3).kind()).isEqualTo(Kind.NOT_DUE);
  }

  @Test
  void servicesAreIndependent() {
    ScalingPolicy policy = policy(0, 0, 10, 30, 4, 1, List.of(CPU_70), List.of());

    assertThat(engine.evaluate("a", policy, 2, 1, 10, cpu(140), T0).desired()).isEqualTo(4);
    assertThat(engine.evaluate("b", policy, 2, 1, 10, cpu(140), T0).desired()).isEqualTo(4);
    assertThat(engine.evaluate("b", policy, 4, 1, 10, cpu(140), at(5)).kind()).isEqualTo(Kind.HELD);
  }
}
