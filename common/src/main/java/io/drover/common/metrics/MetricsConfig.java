package io.drover.common.metrics;

import io.drover.common.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Which reporters a process starts. See {@link MetricsSettings}.
 *
 * @param interval the period of the console, CSV and SLF4J reporters
 */
public record MetricsConfig(
    boolean prometheus,
    boolean jmx,
    boolean console,
    Optional<Path> csvDir,
    boolean slf4j,
    Duration interval,
    Optional<Graphite> graphite) {

  /** Where Graphite listens, and how often to send. */
  public record Graphite(String host, int port, String prefix, Duration interval) {}

  /** Only the Prometheus endpoint. */
  public static MetricsConfig defaults() {
    return new MetricsConfig(
        true,
        false,
        false,
        Optional.empty(),
        false,
        MetricsSettings.INTERVAL.defaultValue(),
        Optional.empty());
  }

  public static MetricsConfig from(Settings s) {
    Optional<Graphite> graphite =
        s.find(MetricsSettings.GRAPHITE_HOST)
            .filter(h -> !h.isBlank())
            .map(
                host ->
                    new Graphite(
                        host,
                        s.get(MetricsSettings.GRAPHITE_PORT),
                        s.find(MetricsSettings.GRAPHITE_PREFIX).orElse(""),
                        s.get(MetricsSettings.GRAPHITE_INTERVAL)));
    return new MetricsConfig(
        s.get(MetricsSettings.PROMETHEUS),
        s.get(MetricsSettings.JMX),
        s.get(MetricsSettings.CONSOLE),
        s.find(MetricsSettings.CSV_DIR),
        s.get(MetricsSettings.SLF4J),
        s.get(MetricsSettings.INTERVAL),
        graphite);
  }

  public MetricsConfig withGraphite(Graphite to) {
    return new MetricsConfig(prometheus, jmx, console, csvDir, slf4j, interval, Optional.of(to));
  }

  public MetricsConfig withPrometheus(boolean on) {
    return new MetricsConfig(on, jmx, console, csvDir, slf4j, interval, graphite);
  }
}
