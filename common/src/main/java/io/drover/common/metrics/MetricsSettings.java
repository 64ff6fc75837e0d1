package io.drover.common.metrics;

import io.drover.common.config.ConfigKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The settings of the metrics reporters, the same for the controller and the agent. Every reporter
 * is off by default except the Prometheus endpoint.
 */
public final class MetricsSettings {
  public static final ConfigKey<Boolean> PROMETHEUS =
      ConfigKey.bool(
          "metrics.prometheus",
          true,
          "serve /metrics in the Prometheus text format on the HTTP port");
  public static final ConfigKey<Boolean> JMX =
      ConfigKey.bool(
          "metrics.jmx",
          false,
          "publish every metric as a JMX MBean, but series produced only when read (the"
              + " controller's per-container series)");
  public static final ConfigKey<Boolean> CONSOLE =
      ConfigKey.bool(
          "metrics.console", false, "print every metric on standard output every metrics.interval");
  public static final ConfigKey<Path> CSV_DIR =
      ConfigKey.path(
          "metrics.csv.dir",
          null,
          "append every metric to one CSV file per metric in this directory every"
              + " metrics.interval; none: off");
  public static final ConfigKey<Boolean> SLF4J =
      ConfigKey.bool(
          "metrics.slf4j",
          false,
          "log every metric (logger drover.metrics, INFO) every metrics.interval");
  public static final ConfigKey<Duration> INTERVAL =
      ConfigKey.duration(
          "metrics.interval",
          Duration.ofMinutes(1),
          Duration.ofSeconds(1),
          Duration.ofHours(24),
          "how often the console, CSV and SLF4J reporters report");
  public static final ConfigKey<String> GRAPHITE_HOST =
      ConfigKey.string(
          "metrics.graphite.host",
          null,
          "send every metric to this Graphite (carbon plaintext) host; none: off");
  public static final ConfigKey<Integer> GRAPHITE_PORT =
      ConfigKey.integer("metrics.graphite.port", 2003, 1, 65535, "carbon's plaintext port");
  public static final ConfigKey<String> GRAPHITE_PREFIX =
      ConfigKey.string(
          "metrics.graphite.prefix",
          null,
          "put before every name sent to Graphite (names already start with drover.), such as"
              + " the host");
  public static final ConfigKey<Duration> GRAPHITE_INTERVAL =
      ConfigKey.duration(
          "metrics.graphite.interval",
          Duration.ofSeconds(10),
          Duration.ofSeconds(1),
          Duration.ofHours(1),
          "how often metrics are sent to Graphite");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          PROMETHEUS,
          JMX,
          CONSOLE,
          CSV_DIR,
          SLF4J,
          INTERVAL,
          GRAPHITE_HOST,
          GRAPHITE_PORT,
          GRAPHITE_PREFIX,
          GRAPHITE_INTERVAL);

  private MetricsSettings() {}
}
