package io.drover.controller.catalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code scaling} section of a service: every rule of docs/CATALOG.md, every problem. */
final class ScalingReader {
  static final List<String> KEYS =
      List.of(
          "interval",
          "upStabilization",
          "downStabilization",
          "upCooldown",
          "downCooldown",
          "maxStepUp",
          "maxStepDown",
          "overload",
          "overloadCooldown",
          "targets",
          "rules");
  static final List<String> TARGET_KEYS = List.of("metric", "target");
  static final List<String> RULE_KEYS = List.of("metric", "above", "below", "add", "remove");

  private ScalingReader() {}

  /**
   * The policy of the service whose fields are {@code service}: empty inside when the service has
   * no {@code scaling} (or {@code scaling:} with no value), empty outside when it has problems.
   */
  static Optional<Optional<ScalingPolicy>> read(Fields service) {
    if (!service.has("scaling")) {
      return Optional.of(Optional.empty());
    }
    return service.mapping("scaling", KEYS).flatMap(ScalingReader::policy).map(Optional::of);
  }

  private static Optional<ScalingPolicy> policy(Fields s) {
    Duration zero = Duration.ZERO;
    Duration window = CatalogRules.MAX_SCALING_WINDOW;
    Optional<Duration> interval =
        s.duration(
            "interval",
            ScalingPolicy.DEFAULT_INTERVAL,
            CatalogRules.MIN_SCALING_INTERVAL,
            CatalogRules.MAX_SCALING_INTERVAL);
    Optional<Duration> upStabilization =
        s.duration("upStabilization", ScalingPolicy.DEFAULT_UP_STABILIZATION, zero, window);
    Optional<Duration> downStabilization =
        s.duration("downStabilization", ScalingPolicy.DEFAULT_DOWN_STABILIZATION, zero, window);
    Optional<Duration> upCooldown =
        s.duration("upCooldown", ScalingPolicy.DEFAULT_UP_COOLDOWN, zero, window);
    Optional<Duration> downCooldown =
        s.duration("downCooldown", ScalingPolicy.DEFAULT_DOWN_COOLDOWN, zero, window);
    Optional<Integer> maxStepUp =
        s.integer("maxStepUp", ScalingPolicy.DEFAULT_MAX_STEP_UP, 1, CatalogRules.MAX_REPLICAS);
    Optional<Integer> maxStepDown =
        s.integer("maxStepDown", ScalingPolicy.DEFAULT_MAX_STEP_DOWN, 1, CatalogRules.MAX_REPLICAS);
    Optional<Boolean> overload = s.bool("overload", ScalingPolicy.DEFAULT_OVERLOAD);
    Optional<Duration> overloadCooldown =
        s.duration("overloadCooldown", ScalingPolicy.DEFAULT_OVERLOAD_COOLDOWN, zero, window);
    Optional<List<ScalingPolicy.Target>> targets = targets(s);
    Optional<List<ScalingPolicy.Rule>> rules = rules(s);
    if (interval.isEmpty()
        || upStabilization.isEmpty()
        || downStabilization.isEmpty()
        || upCooldown.isEmpty()
        || downCooldown.isEmpty()
        || maxStepUp.isEmpty()
        || maxStepDown.isEmpty()
        || overload.isEmpty()
        || overloadCooldown.isEmpty()
        || targets.isEmpty()
        || rules.isEmpty()) {
      return Optional.empty();
    }
    if (targets.get().isEmpty() && rules.get().isEmpty() && !overload.get()) {
      s.problemHere("scales on nothing: give targets, rules or overload: true");
      return Optional.empty();
    }
    return Optional.of(
        new ScalingPolicy(
            interval.get(),
            upStabilization.get(),
            downStabilization.get(),
            upCooldown.get(),
            downCooldown.get(),
            maxStepUp.get(),
            maxStepDown.get(),
            overload.get(),
            overloadCooldown.get(),
            targets.get(),
            rules.get()));
  }

  private static Optional<List<ScalingPolicy.Target>> targets(Fields s) {
    Optional<List<Fields>> items =
        s.mappings("targets", TARGET_KEYS, CatalogRules.MAX_SCALING_ITEMS);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    boolean valid = items.get().size() == listSize(s, "targets");
    List<ScalingPolicy.Target> targets = new ArrayList<>();
    Map<String, Position> metrics = new HashMap<>();
    for (Fields t : items.get()) {
      Optional<String> metric = metric(t);
      Optional<Double> target = t.number("target");
      if (target.isPresent() && !(target.get() > 0)) {
        t.problem("target", "must be greater than 0, not " + t.textOf("target"));
        target = Optional.empty();
      }
      if (metric.isPresent()) {
        Position first = metrics.putIfAbsent(metric.get(), t.at("metric"));
        if (first != null) {
          t.problem("metric", "'" + metric.get() + "' already has a target, at " + first);
          metric = Optional.empty();
        }
      }
      if (metric.isEmpty() || target.isEmpty()) {
        valid = false;
        continue;
      }
      targets.add(new ScalingPolicy.Target(metric.get(), target.get()));
    }
    return valid ? Optional.of(targets) : Optional.empty();
  }

  private static Optional<List<ScalingPolicy.Rule>> rules(Fields s) {
    Optional<List<Fields>> items = s.mappings("rules", RULE_KEYS, CatalogRules.MAX_SCALING_ITEMS);
    if (items.isEmpty()) {
      return Optional.empty();
    }
    boolean valid = items.get().size() == listSize(s, "rules");
    List<ScalingPolicy.Rule> rules = new ArrayList<>();
    for (Fields r : items.get()) {
      Optional<String> metric = metric(r);
      Optional<String> when = onlyOne(r, "above", "below");
      Optional<Double> threshold = when.flatMap(r::number);
      Optional<String> action = onlyOne(r, "add", "remove");
      Optional<Integer> amount = action.flatMap(a -> r.integer(a, 0, 1, CatalogRules.MAX_REPLICAS));
      if (metric.isEmpty() || threshold.isEmpty() || amount.isEmpty()) {
        valid = false;
        continue;
      }
      rules.add(
          new ScalingPolicy.Rule(
              metric.get(),
              when.get().equals("above")
                  ? ScalingPolicy.Condition.ABOVE
                  : ScalingPolicy.Condition.BELOW,
              threshold.get(),
              action.get().equals("add") ? amount.get() : -amount.get()));
    }
    return valid ? Optional.of(rules) : Optional.empty();
  }

  /** Exactly one of two keys is given: which one, or empty (reported at the later one). */
  private static Optional<String> onlyOne(Fields f, String one, String other) {
    if (f.has(one) && f.has(other)) {
      Position a = f.at(one);
      Position b = f.at(other);
      boolean otherIsLater =
          b.line() > a.line() || (b.line() == a.line() && b.column() > a.column());
      f.problem(
          otherIsLater ? other : one, "give only one of " + one + " or " + other + ", not both");
      return Optional.empty();
    }
    if (!f.has(one) && !f.has(other)) {
      f.problemHere("needs one of " + one + " or " + other);
      return Optional.empty();
    }
    return Optional.of(f.has(one) ? one : other);
  }

  private static Optional<String> metric(Fields f) {
    Optional<String> metric = f.required("metric");
    if (metric.isPresent() && !CatalogRules.METRIC.matcher(metric.get()).matches()) {
      f.problem(
          "metric", "'" + metric.get() + "' is not a metric name: " + CatalogRules.METRIC_RULE);
      return Optional.empty();
    }
    return metric;
  }

  private static int listSize(Fields f, String key) {
    return f.node(key).map(n -> n instanceof YamlNode.Sequence s ? s.items().size() : 0).orElse(0);
  }
}
