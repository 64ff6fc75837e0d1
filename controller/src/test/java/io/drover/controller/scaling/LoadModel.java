package io.drover.controller.scaling;

import io.drover.controller.catalog.ScalingPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * A service under load, stepped one simulated second at a time against the engine. The load is the
 * total CPU the service needs, in percent of one core; each instance shows {@code load /
 * instances}. What the engine sees lags one interval behind: the metric at second {@code t} is the
 * load and the count of second {@code t - interval} (the count after that second's decision), as
 * when telemetry, averaging and the start of new instances take that long.
 */
final class LoadModel {
  static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

  record Change(int second, int from, int to, String message) {}

  private final Autoscaler engine = new Autoscaler();
  private final ScalingPolicy policy;
  private final int min;
  private final int max;
  private final int lag;
  private final int initial;
  private final IntToDoubleFunction load;
  private final List<Integer> counts = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();

  LoadModel(ScalingPolicy policy, int min, int max, int initial, IntToDoubleFunction load) {
    this.policy = policy;
    this.min = min;
    this.max = max;
    this.initial = initial;
    this.load = load;
    this.lag = (int) policy.interval().toSeconds();
  }

  LoadModel run(int seconds) {
    int count = counts.isEmpty() ? initial : counts.get(counts.size() - 1);
    for (int t = counts.size(); t < seconds; t++) {
      int seen = t - lag;
      int seenCount = seen < 0 ? initial : counts.get(seen);
      Map<String, Double> metrics =
          seenCount == 0 ? Map.of() : Map.of("cpu", load.applyAsDouble(seen) / seenCount);
      ScalingDecision d =
          engine.evaluate("svc", policy, count, min, max, metrics, T0.plusSeconds(t));
      if (d.changes()) {
        changes.add(new Change(t, count, d.desired(), d.message()));
        count = d.desired();
      }
      counts.add(count);
    }
    return this;
  }

  /** The count after the decision of second {@code t}. */
  int countAt(int t) {
    return counts.get(t);
  }

  List<Change> changes() {
    return changes;
  }

  /** The first second from {@code from} on at which the count is {@code count}, or -1. */
  int firstAt(int from, int count) {
    for (int t = from; t < counts.size(); t++) {
      if (counts.get(t) == count) {
        return t;
      }
    }
    return -1;
  }

  int maxCount(int from, int to) {
    return counts.subList(from, to).stream().mapToInt(Integer::intValue).max().orElseThrow();
  }

  int minCount(int from, int to) {
    return counts.subList(from, to).stream().mapToInt(Integer::intValue).min().orElseThrow();
  }
}
