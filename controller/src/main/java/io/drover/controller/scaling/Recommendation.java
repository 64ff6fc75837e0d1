package io.drover.controller.scaling;

import io.drover.controller.catalog.ScalingPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the targets and rules of a policy recommend for the metrics of one evaluation, before any
 * window, cooldown, step or bound: the largest of their recommendations (scale up wins, as in
 * Kubernetes' HPA).
 *
 * <p>A target recommends {@code ceil(current × value / target)}. A rule that fires recommends
 * {@code current + add} or {@code current - remove}; a rule that does not fire recommends nothing
 * while a target or another rule does, and {@code current} otherwise (so that a rule-only policy
 * holds steady between firings, and its stabilization windows see it). A target or rule whose
 * metric has no value recommends nothing.
 *
 * @param value empty when nothing could be recommended
 * @param reason the winning target or rule with its numbers: {@code cpu 12% < target 70%}
 * @param calculation how the winner got its count: {@code desired ceil(3 × 12 / 70) = 1}
 * @param missing the metrics that had no value, in policy order
 * @param details one line per target and rule
 */
record Recommendation(
    OptionalInt value,
    String reason,
    String calculation,
    List<String> missing,
    boolean noMetricsAtAll,
    List<String> details) {

  /** Rounding of a product of doubles must not add an instance: 3 × 0.7 / 0.7 is 3, not 4. */
  private static final double EPSILON = 1e-9;

  static Recommendation of(ScalingPolicy policy, int current, Map<String, Double> metrics) {
    List<String> details = new ArrayList<>();
    Set<String> missing = new LinkedHashSet<>();
    int best = Integer.MIN_VALUE;
    String reason = "";
    String calculation = "";
    List<String> quiet = new ArrayList<>();
    for (ScalingPolicy.Target t : policy.targets()) {
      Double value = value(metrics, t.metric());
      if (value == null) {
        missing.add(t.metric());
        details.add("target " + t.metric() + ": no value, no recommendation");
        continue;
      }
      int desired = ceil(current * value / t.target());
      String why =
          Metrics.show(t.metric(), value)
              + " "
              + compare(value, t.target())
              + " target "
              + Metrics.unitValue(t.metric(), t.target());
      String how =
          "desired ceil("
              + current
              + " × "
              + Metrics.number(value)
              + " / "
              + Metrics.number(t.target())
              + ") = "
              + desired;
      details.add(why + ": " + how);
      if (desired > best) {
        best = desired;
        reason = why;
        calculation = how;
      }
    }
    for (ScalingPolicy.Rule r : policy.rules()) {
      Double value = value(metrics, r.metric());
      String threshold = Metrics.unitValue(r.metric(), r.threshold());
      String above = r.condition() == ScalingPolicy.Condition.ABOVE ? "above" : "below";
      if (value == null) {
        missing.add(r.metric());
        details.add("rule " + r.metric() + " " + above + " " + threshold + ": no value");
        continue;
      }
      String shown = Metrics.show(r.metric(), value);
      if (!r.fires(value)) {
        quiet.add(shown + " not " + above + " " + threshold);
        details.add(
            "rule " + r.metric() + " " + above + " " + threshold + ": " + shown + ", quiet");
        continue;
      }
      int desired = Math.max(0, current + r.change());
      String why =
          shown
              + " "
              + (r.condition() == ScalingPolicy.Condition.ABOVE ? ">" : "<")
              + " "
              + threshold;
      String how =
          "rule: "
              + (r.change() > 0 ? "add " + r.change() : "remove " + -r.change())
              + ", desired "
              + current
              + (r.change() > 0 ? " + " + r.change() : " - " + -r.change())
              + " = "
              + desired;
      details.add("rule " + r.metric() + " " + above + " " + threshold + ": " + why + ", " + how);
      if (desired > best) {
        best = desired;
        reason = why;
        calculation = how;
      }
    }
    boolean noMetrics = metrics.isEmpty();
    if (best != Integer.MIN_VALUE) {
      return new Recommendation(
          OptionalInt.of(best), reason, calculation, List.copyOf(missing), noMetrics, details);
    }
    if (!quiet.isEmpty()) {
      return new Recommendation(
          OptionalInt.of(current),
          "no rule fires (" + String.join(", ", quiet) + ")",
          "",
          List.copyOf(missing),
          noMetrics,
          details);
    }
    return new Recommendation(
        OptionalInt.empty(), "", "", List.copyOf(missing), noMetrics, details);
  }

  /** The reason with its calculation in brackets, and what could not be evaluated. */
  String explained(List<String> limits) {
    List<String> parts = new ArrayList<>();
    if (!calculation.isEmpty()) {
      parts.add(calculation);
    }
    parts.addAll(limits);
    String text = parts.isEmpty() ? reason : reason + " (" + String.join(", ", parts) + ")";
    return text + missingNote();
  }

  /** {@code ; no value for heap}, or nothing. */
  String missingNote() {
    if (missing.isEmpty()) {
      return "";
    }
    return noMetricsAtAll
        ? "; no ready instance reports metrics yet"
        : "; no value for " + String.join(", ", missing);
  }

  /** Why nothing was recommended. */
  String nothing() {
    if (noMetricsAtAll) {
      return "no ready instance reports metrics yet, so no target or rule recommends anything";
    }
    return "no value for "
        + String.join(", ", missing)
        + ", so no target or rule recommends anything";
  }

  private static Double value(Map<String, Double> metrics, String metric) {
    Double value = metrics.get(metric);
    return value == null || !Double.isFinite(value) ? null : value;
  }

  private static String compare(double value, double target) {
    return value > target ? ">" : value < target ? "<" : "=";
  }

  static int ceil(double x) {
    if (x <= 0) {
      return 0;
    }
    double c = Math.ceil(x - EPSILON * Math.max(1, x));
    return c >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) c;
  }
}
