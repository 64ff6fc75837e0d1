package io.drover.container;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Flattens a service's Dropwizard registry into the {@code service_metrics} map of {@code
 * ContainerMetrics}:
 *
 * <ul>
 *   <li>Timer: {@code NAME.p50}, {@code NAME.p99}, {@code NAME.mean} in seconds, {@code
 *       NAME.rate1m} (per second), {@code NAME.count}
 *   <li>Meter: {@code NAME.rate1m}, {@code NAME.count}
 *   <li>Counter: {@code NAME.count}
 *   <li>Histogram: {@code NAME.p99}, {@code NAME.mean}
 *   <li>Gauge with a numeric value: {@code NAME}
 * </ul>
 *
 * Values that are not finite are left out, as are gauges that throw: a faulty metric must not stop
 * the sample. At most {@code maxEntries} values are sent, to bound the message.
 */
public final class MetricsFlattener {
  private static final double NANOS_PER_SECOND = 1e9;

  private final int maxEntries;

  public MetricsFlattener(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  public Map<String, Double> flatten(MetricRegistry registry) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, Metric> entry : registry.getMetrics().entrySet()) {
      if (out.size() >= maxEntries) {
        break;
      }
      String name = entry.getKey();
      Metric metric = entry.getValue();
      try {
        if (metric instanceof Timer timer) {
          Snapshot s = timer.getSnapshot();
          put(out, name + ".p50", s.getMedian() / NANOS_PER_SECOND);
          put(out, name + ".p99", s.get99thPercentile() / NANOS_PER_SECOND);
          put(out, name + ".mean", s.getMean() / NANOS_PER_SECOND);
          put(out, name + ".rate1m", timer.getOneMinuteRate());
          put(out, name + ".count", timer.getCount());
        } else if (metric instanceof Meter meter) {
          put(out, name + ".rate1m", meter.getOneMinuteRate());
          put(out, name + ".count", meter.getCount());
        } else if (metric instanceof Counter counter) {
          put(out, name + ".count", counter.getCount());
        } else if (metric instanceof Histogram histogram) {
          Snapshot s = histogram.getSnapshot();
          put(out, name + ".p99", s.get99thPercentile());
          put(out, name + ".mean", s.getMean());
        } else if (metric instanceof Gauge<?> gauge) {
          Object value = gauge.getValue();
          if (value instanceof Number number) {
            put(out, name, number.doubleValue());
          }
        }
      } catch (RuntimeException | LinkageError faulty) {
        // The service's own gauge failed; leave it out of this sample.
      }
    }
    return out;
  }

  private void put(Map<String, Double> out, String key, double value) {
    if (Double.isFinite(value) && out.size() < maxEntries) {
      out.put(key, value);
    }
  }
}
