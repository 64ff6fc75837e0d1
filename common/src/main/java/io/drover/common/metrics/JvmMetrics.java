package io.drover.common.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The process's own JVM (memory, garbage collection, threads) from {@code metrics-jvm}, under
 * {@code drover.jvm.}; what differs per pool, collector or thread state is a label.
 */
public final class JvmMetrics {
  private static final Set<String> THREAD_STATES =
      Stream.of(Thread.State.values())
          .map(s -> s.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());

  private JvmMetrics() {}

  public static void register(Metrics metrics) {
    memory(metrics, new MemoryUsageGaugeSet().getMetrics());
    gc(metrics, new GarbageCollectorMetricSet().getMetrics());
    threads(metrics, new ThreadStatesGaugeSet().getMetrics());
  }

  private static void memory(Metrics metrics, Map<String, Metric> set) {
    set.forEach(
        (name, metric) -> {
          if (name.startsWith("pools.")) {
            String rest = name.substring("pools.".length());
            int dot = rest.lastIndexOf('.');
            String attribute = rest.substring(dot + 1);
            metrics.register(
                "drover.jvm.memory.pool." + attribute,
                "JVM memory pool "
                    + attribute
                    + (attribute.contains("usage") ? " (used / max)" : " (bytes)"),
                metric,
                "pool",
                rest.substring(0, dot));
          } else {
            metrics.register(
                "drover.jvm.memory." + name,
                "JVM memory " + name + (name.endsWith("usage") ? " (used / max)" : " (bytes)"),
                metric);
          }
        });
  }

  private static void gc(Metrics metrics, Map<String, Metric> set) {
    set.forEach(
        (name, metric) -> {
          int dot = name.lastIndexOf('.');
          String attribute = name.substring(dot + 1);
          metrics.register(
              "drover.jvm.gc." + (attribute.equals("count") ? "collections" : attribute),
              attribute.equals("time")
                  ? "milliseconds spent in this garbage collector since the JVM started"
                  : "collections by this garbage collector since the JVM started",
              metric,
              "gc",
              name.substring(0, dot));
        });
  }

  private static void threads(Metrics metrics, Map<String, Metric> set) {
    set.forEach(
        (name, metric) -> {
          if (!(metric instanceof Gauge<?> gauge) || !(gauge.getValue() instanceof Number)) {
            return; // the set of deadlocked threads: not a number
          }
          String first = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
          if (name.endsWith(".count") && THREAD_STATES.contains(first)) {
            metrics.register(
                "drover.jvm.threads.state", "live threads in this state", metric, "state", first);
          } else {
            String what =
                switch (name) {
                  case "count" -> "live";
                  case "total_started.count" -> "started";
                  case "deadlock.count" -> "deadlocked";
                  default -> name.replace(".count", "");
                };
            metrics.register("drover.jvm.threads." + what, "JVM threads: " + what, metric);
          }
        });
  }
}
