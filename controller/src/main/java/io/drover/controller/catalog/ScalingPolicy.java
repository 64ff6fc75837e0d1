package io.drover.controller.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the controller scales a service between its {@code replicas.min} and {@code replicas.max}:
 * the {@code scaling} section of a catalog service (docs/CATALOG.md). A service without one is not
 * autoscaled. {@code io.drover.controller.scaling.Autoscaler} applies it; docs/SCALING.md explains
 * the decisions.
 *
 * @param interval how often the service is evaluated
 * @param upStabilization scale up only to the lowest recommendation seen over this window
 * @param downStabilization scale down only to the highest recommendation seen over this window
 * @param upCooldown after a scale-up, no further scale-up for this long
 * @param downCooldown after any scale change, no scale-down for this long
 * @param maxStepUp the largest increase of one evaluation
 * @param maxStepDown the largest decrease of one evaluation
 * @param overload whether an instance's overload report is an immediate scale-up signal
 * @param overloadCooldown the reports of one service count at most once per this
 * @param targets target tracking: desired = ceil(current × value / target), one per metric
 * @param rules thresholds that add or remove instances
 */
public record ScalingPolicy(
    Duration interval,
    Duration upStabilization,
    Duration downStabilization,
    Duration upCooldown,
    Duration downCooldown,
    int maxStepUp,
    int maxStepDown,
    boolean overload,
    Duration overloadCooldown,
    List<Target> targets,
    List<Rule> rules) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_UP_STABILIZATION = Duration.ZERO;
  public static final Duration DEFAULT_DOWN_STABILIZATION = Duration.ofSeconds(60);
  public static final Duration DEFAULT_UP_COOLDOWN = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DOWN_COOLDOWN = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_STEP_UP = 4;
  public static final int DEFAULT_MAX_STEP_DOWN = 1;
  public static final boolean DEFAULT_OVERLOAD = true;
  public static final Duration DEFAULT_OVERLOAD_COOLDOWN = Duration.ofSeconds(5);

  /** The CPU of a container, in percent of one core, averaged over the ready instances. */
  public static final String CPU = "cpu";

  /** The heap in use, in percent of the maximum heap, averaged over the ready instances. */
  public static final String HEAP = "heap";

  /**
   * Keep the value of {@code metric} at {@code target} on average over the ready instances.
   *
   * @param metric {@link #CPU}, {@link #HEAP} or a service metric as the container flattens it
   *     ({@code requests.p99}, {@code requests.rate1m}, ...)
   * @param target positive, in the metric's unit
   */
  public record Target(String metric, double target) {
    public Target {
      Objects.requireNonNull(metric, "metric");
      if (!(target > 0) || !Double.isFinite(target)) {
        throw new IllegalArgumentException("a target must be positive and finite, not " + target);
      }
    }
  }

  /** When a rule fires: its metric is above or below the threshold. */
  public enum Condition {
    ABOVE,
    BELOW
  }

  /**
   * When {@code metric} is {@link Condition#ABOVE above} (or below) {@code threshold}, recommend
   * {@code change} instances more (positive, {@code add}) or fewer (negative, {@code remove}).
   */
  public record Rule(String metric, Condition condition, double threshold, int change) {
    public Rule {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(condition, "condition");
      if (!Double.isFinite(threshold)) {
        throw new IllegalArgumentException("a threshold must be finite, not " + threshold);
      }
      if (change == 0) {
        throw new IllegalArgumentException("a rule must add or remove instances");
      }
    }

    public boolean fires(double value) {
      return condition == Condition.ABOVE ? value > threshold : value < threshold;
    }
  }

  public ScalingPolicy {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(upStabilization, "upStabilization");
    Objects.requireNonNull(downStabilization, "downStabilization");
    Objects.requireNonNull(upCooldown, "upCooldown");
    Objects.requireNonNull(downCooldown, "downCooldown");
    Objects.requireNonNull(overloadCooldown, "overloadCooldown");
    targets = Copies.list(targets);
    rules = Copies.list(rules);
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive, not " + interval);
    }
    for (Duration d :
        List.of(upStabilization, downStabilization, upCooldown, downCooldown, overloadCooldown)) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("windows and cooldowns must not be negative: " + d);
      }
    }
    if (maxStepUp < 1 || maxStepDown < 1) {
      throw new IllegalArgumentException("steps must be at least 1");
    }
    if (targets.isEmpty() && rules.isEmpty() && !overload) {
      throw new IllegalArgumentException("a policy needs a target, a rule or overload");
    }
  }

  /** A policy with every default and these targets and rules. */
  public static ScalingPolicy of(List<Target> targets, List<Rule> rules) {
    return new ScalingPolicy(
        DEFAULT_INTERVAL,
        DEFAULT_UP_STABILIZATION,
        DEFAULT_DOWN_STABILIZATION,
        DEFAULT_UP_COOLDOWN,
        DEFAULT_DOWN_COOLDOWN,
        DEFAULT_MAX_STEP_UP,
        DEFAULT_MAX_STEP_DOWN,
        DEFAULT_OVERLOAD,
        DEFAULT_OVERLOAD_COOLDOWN,
        targets,
        rules);
  }
}
