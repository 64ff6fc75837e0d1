package io.drover.common.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The one metric registry of a process (a controller or an agent), with the labels of its metrics.
 *
 * <p>Dropwizard names are flat, Prometheus has labels. Each metric is registered under a base name
 * ({@code drover.node.cpu_load}) and label values; its Dropwizard name is the base followed by the
 * values, cleaned to Graphite path segments ({@code drover.node.cpu_load.web-1}), which the JMX,
 * console, CSV, SLF4J and Graphite reporters show as they are. The labels are kept beside the
 * registry, so that the Prometheus bridge ({@link PrometheusExposition}) writes {@code
 * drover_node_cpu_load{node="web-1"}} with the exact values.
 */
public final class Metrics {
  /** Every Drover metric name starts with this. */
  public static final String PREFIX = "drover.";

  /** One labelled metric as Prometheus sees it. */
  record Series(String family, List<String> labelNames, List<String> labelValues) {}

  /** What Prometheus should say about a family: its help and whether it is a counter. */
  record Family(String help, boolean counter) {}

  /**
   * Matches every metric, but leaves out the {@link ReadTimeGauges}: for a reader that writes them
   * by itself (the Prometheus bridge). Recognised by identity.
   */
  static final MetricFilter REGISTERED_ONLY = (name, metric) -> true;

  private final MetricRegistry registry = new Registry();
  private final Map<String, Series> series = new ConcurrentHashMap<>();
  private final Map<String, Family> families = new ConcurrentHashMap<>();
  private final List<ReadTimeGauges> readTime = new CopyOnWriteArrayList<>();
  private final List<ReadTimeGauges.Family> readTimeFamilies = new CopyOnWriteArrayList<>();

  public MetricRegistry registry() {
    return registry;
  }

  /**
   * A counter; in Prometheus {@code BASE_total} of type counter.
   *
   * @param labels label names and values, alternating
   */
  public Counter counter(String base, String help, String... labels) {
    String family = promName(base) + "_total";
    families.putIfAbsent(family, new Family(help, true));
    return registry.counter(name(base, family, labels));
  }

  /** A timer; in Prometheus a summary {@code BASE_seconds} (quantiles and count). */
  public Timer timer(String base, String help, String... labels) {
    String family = promName(base) + "_seconds";
    families.putIfAbsent(family, new Family(help, false));
    return registry.timer(name(base, family, labels));
  }

  /** A gauge read when reported. */
  public <T extends Number> Gauge<T> gauge(String base, String help, Supplier<T> value) {
    String family = promName(base);
    families.putIfAbsent(family, new Family(help, false));
    return registry.gauge(name(base, family), () -> value::get);
  }

  /** Registers a metric made elsewhere (the JVM's) under a base name and labels. */
  public void register(String base, String help, Metric metric, String... labels) {
    String family = promName(base);
    families.putIfAbsent(family, new Family(help, false));
    registry.register(name(base, family, labels), metric);
  }

  /** Gauges with the same base and label names, one per set of label values, set as a whole. */
  public GaugeFamily gaugeFamily(String base, String help, String... labelNames) {
    String family = promName(base);
    families.putIfAbsent(family, new Family(help, false));
    return new GaugeFamily(this, base, family, List.of(labelNames));
  }

  /**
   * Gauge families whose series {@code producer} writes on every read of the registry, kept nowhere
   * in between; declare their families on the returned object. The producer may be called from
   * several threads at once.
   */
  public ReadTimeGauges readTimeGauges(ReadTimeGauges.Producer producer) {
    ReadTimeGauges gauges = new ReadTimeGauges(this, producer);
    readTime.add(gauges);
    return gauges;
  }

  void declare(ReadTimeGauges.Family family) {
    readTimeFamilies.add(family);
  }

  /** The read-time families, in the order declared. */
  List<ReadTimeGauges.Family> readTimeFamilies() {
    return readTimeFamilies;
  }

  /** Has every read-time producer write its current series. */
  void produceReadTime(ReadTimeGauges.Sink out) {
    for (ReadTimeGauges gauges : readTime) {
      gauges.produce(out);
    }
  }

  /**
   * The registry, whose gauges include the read-time series under their Dropwizard names (the base
   * followed by the label values, as {@link #name} makes them), for the scheduled reporters, which
   * ask for the gauges at each report. Made at each call and not kept.
   */
  private final class Registry extends MetricRegistry {
    @Override
    @SuppressWarnings("rawtypes")
    public SortedMap<String, Gauge> getGauges(MetricFilter filter) {
      SortedMap<String, Gauge> registered = super.getGauges(filter);
      if (readTime.isEmpty() || filter == REGISTERED_ONLY) {
        return registered;
      }
      TreeMap<String, Gauge> all = new TreeMap<>(registered);
      produceReadTime(
          (family, value, labelValues) -> {
            family.check(labelValues);
            StringBuilder path = new StringBuilder(family.base);
            for (String v : labelValues) {
              if (!v.isEmpty()) {
                path.append('.').append(segment(v));
              }
            }
            String name = path.toString();
            for (int n = 2; all.containsKey(name); n++) {
              name = path + "_" + n;
            }
            Gauge<Double> gauge = () -> value;
            if (filter.matches(name, gauge)) {
              all.put(name, gauge);
            }
          });
      return Collections.unmodifiableSortedMap(all);
    }
  }

  /** Removes one metric registered through this class. */
  void remove(String dropwizardName) {
    registry.remove(dropwizardName);
    series.remove(dropwizardName);
  }

  /** The Dropwizard name for these labels, recorded with them; unique within the registry. */
  String name(String base, String family, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name, value pairs: " + List.of(labels));
    }
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    StringBuilder path = new StringBuilder(base);
    for (int i = 0; i < labels.length; i += 2) {
      names.add(labels[i]);
      String value = Objects.requireNonNullElse(labels[i + 1], "");
      values.add(value);
      if (!value.isEmpty()) {
        path.append('.').append(segment(value));
      }
    }
    Series wanted = new Series(family, List.copyOf(names), List.copyOf(values));
    String candidate = path.toString();
    // Two label values may clean to the same segment: the second gets a number.
    for (int n = 2; ; n++) {
      Series existing = series.putIfAbsent(candidate, wanted);
      if (existing == null || existing.equals(wanted)) {
        return candidate;
      }
      candidate = path + "_" + n;
    }
  }

  Series series(String dropwizardName) {
    return series.get(dropwizardName);
  }

  Family family(String promName) {
    return families.get(promName);
  }

  /** {@code drover.node.cpu_load} becomes {@code drover_node_cpu_load}. */
  static String promName(String base) {
    return Collector.sanitizeMetricName(base);
  }

  /** A label value as one Graphite path segment: letters, digits, '-' and '_'. */
  static String segment(String value) {
    char[] chars = value.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        chars[i] = '_';
      }
    }
    return new String(chars);
  }

  static List<String> concat(List<String> a, List<String> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static List<String> list(String... values) {
    return Arrays.asList(values);
  }
}
