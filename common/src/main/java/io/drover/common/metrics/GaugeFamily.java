package io.drover.common.metrics;

import com.codahale.metrics.DefaultSettableGauge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gauges of one base name, one per set of label values ({@code drover.nodes{state="READY"}}),
 * replaced as a whole: a set of values not given again is removed, so that a gone node or container
 * leaves no stale series behind.
 */
public final class GaugeFamily {
  private final Metrics metrics;
  private final String base;
  private final String family;
  private final List<String> labelNames;
  private final Map<List<String>, Registered> current = new HashMap<>();

  private record Registered(String name, DefaultSettableGauge<Double> gauge) {}

  GaugeFamily(Metrics metrics, String base, String family, List<String> labelNames) {
    this.metrics = metrics;
    this.base = base;
    this.family = family;
    this.labelNames = List.copyOf(labelNames);
  }

  /**
   * Sets every series of this family.
   *
   * @param values label values (in the order of the label names) to the value
   */
  public synchronized void set(Map<List<String>, ? extends Number> values) {
    Set<List<String>> seen = new HashSet<>();
    values.forEach(
        (labelValues, value) -> {
          if (labelValues.size() != labelNames.size()) {
            throw new IllegalArgumentException(
                base + " takes labels " + labelNames + ", not " + labelValues);
          }
          List<String> key = List.copyOf(labelValues);
          seen.add(key);
          Registered r = current.get(key);
          if (r == null) {
            String[] pairs = new String[2 * labelNames.size()];
            for (int i = 0; i < labelNames.size(); i++) {
              pairs[2 * i] = labelNames.get(i);
              pairs[2 * i + 1] = key.get(i);
            }
            String name = metrics.name(base, family, pairs);
            DefaultSettableGauge<Double> gauge = new DefaultSettableGauge<>(0.0);
            metrics.registry().register(name, gauge);
            r = new Registered(name, gauge);
            current.put(key, r);
          }
          r.gauge.setValue(value.doubleValue());
        });
    for (List<String> key : new ArrayList<>(current.keySet())) {
      if (!seen.contains(key)) {
        metrics.remove(current.remove(key).name());
      }
    }
  }

  /** Removes every series. */
  public synchronized void clear() {
    set(Map.of());
  }
}
