package io.drover.common.metrics;

import com.codahale.metrics.DefaultSettableGauge;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

  /** Counts calls of {@link #set}; a series not stamped with the current one was not given. */
  private long generation;

  private static final class Registered {
    final String name;
    final DefaultSettableGauge<Double> gauge;
    long setIn;

    Registered(String name, DefaultSettableGauge<Double> gauge) {
      this.name = name;
      this.gauge = gauge;
    }
  }

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
    // Stamped rather than collected in a set of seen keys: the controller sets a series per
    // container every few seconds, and hashing each key once is enough.
    long now = ++generation;
    values.forEach(
        (labelValues, value) -> {
          if (labelValues.size() != labelNames.size()) {
            throw new IllegalArgumentException(
                base + " takes labels " + labelNames + ", not " + labelValues);
          }
          Registered r = current.get(labelValues);
          if (r == null) {
            List<String> key = List.copyOf(labelValues);
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
          r.setIn = now;
          r.gauge.setValue(value.doubleValue());
        });
    if (current.size() > values.size()) {
      for (Iterator<Registered> it = current.values().iterator(); it.hasNext(); ) {
        Registered r = it.next();
        if (r.setIn != now) {
          it.remove();
          metrics.remove(r.name);
        }
      }
    }
  }

  /** Removes every series. */
  public synchronized void clear() {
    set(Map.of());
  }
}
