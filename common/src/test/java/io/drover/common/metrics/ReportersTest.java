package io.drover.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.config.Settings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportersTest {
  @TempDir Path dir;

  @Test
  void everyReporterIsOffByDefaultButPrometheus() {
    MetricsConfig config = MetricsConfig.from(Settings.builder(MetricsSettings.ALL).build());

    assertThat(config).isEqualTo(MetricsConfig.defaults());
    assertThat(config.prometheus()).isTrue();
    assertThat(config.jmx() || config.console() || config.slf4j()).isFalse();
    assertThat(config.csvDir()).isEmpty();
    assertThat(config.graphite()).isEmpty();
  }

  @Test
  void settingsTurnReportersOn() {
    MetricsConfig config =
        MetricsConfig.from(
            Settings.builder(MetricsSettings.ALL)
                .environment(
                    Map.of(
                        "DROVER_METRICS_JMX", "true",
                        "DROVER_METRICS_CSV_DIR", dir.toString(),
                        "DROVER_METRICS_GRAPHITE_HOST", "graphite.example",
                        "DROVER_METRICS_GRAPHITE_PREFIX", "web-1",
                        "DROVER_METRICS_GRAPHITE_INTERVAL", "30s"))
                .build());

    assertThat(config.jmx()).isTrue();
    assertThat(config.csvDir()).contains(dir);
    assertThat(config.graphite())
        .contains(
            new MetricsConfig.Graphite("graphite.example", 2003, "web-1", Duration.ofSeconds(30)));
  }

  @Test
  void jmxCsvConsoleAndSlf4jReport() throws Exception {
    Metrics metrics = new Metrics();
    metrics.gaugeFamily("drover.nodes", "nodes by state", "state").set(Map.of(List.of("READY"), 2));
    Path csv = dir.resolve("csv");
    MetricsConfig config =
        new MetricsConfig(
            true, true, true, Optional.of(csv), true, Duration.ofHours(1), Optional.empty());

    try (Reporters reporters = Reporters.start(metrics, config, "drover.reporterstest")) {
      reporters.reportNow();

      assertThat(Files.readAllLines(csv.resolve("drover.nodes.READY.csv")))
          .hasSize(2)
          .last()
          .asString()
          .endsWith(",2.0");
      Object value =
          ManagementFactory.getPlatformMBeanServer()
              .getAttribute(
                  new ObjectName("drover.reporterstest:name=drover.nodes.READY,type=gauges"),
                  "Value");
      assertThat(value).isEqualTo(2.0);
    }
  }
}
