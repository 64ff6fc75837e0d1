package io.drover.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Series produced at each read: in every reader that reads at its own time, kept in none. */
class ReadTimeGaugesTest {
  @TempDir Path dir;

  /** Container id to CPU; what a producer would read from the controller's state. */
  private final Map<String, Double> table = new ConcurrentHashMap<>();

  private final AtomicInteger reads = new AtomicInteger();

  private Metrics metrics() {
    Metrics metrics = new Metrics();
    ReadTimeGauges.Family[] cpu = new ReadTimeGauges.Family[1];
    ReadTimeGauges gauges =
        metrics.readTimeGauges(
            out -> {
              reads.incrementAndGet();
              table.forEach((id, value) -> out.add(cpu[0], value, "web 1.example.com", id));
            });
    cpu[0] = gauges.family("drover.container.cpu_percent", "CPU", "node", "container");
    metrics.gaugeFamily("drover.nodes", "nodes by state", "state").set(Map.of(List.of("READY"), 1));
    return metrics;
  }

  @Test
  void prometheusWritesTheSeriesAsTheyAreAtEachScrapeAndTheRegistryKeepsNone() throws Exception {
    Metrics metrics = metrics();
    PrometheusExposition exposition = new PrometheusExposition(metrics);
    assertThat(reads).hasValue(0); // registering does not read

    assertThat(exposition.text())
        .contains("drover_nodes{state=\"READY\",} 1.0")
        .doesNotContain("drover_container_cpu_percent"); // no series: no family, as a GaugeFamily

    table.put("c-1", 12.5);
    table.put("c-2", 200.0);
    String text = exposition.text();
    assertThat(text)
        .contains("# HELP drover_container_cpu_percent CPU")
        .contains("# TYPE drover_container_cpu_percent gauge")
        .contains(
            "drover_container_cpu_percent{node=\"web 1.example.com\",container=\"c-1\",} 12.5")
        .contains(
            "drover_container_cpu_percent{node=\"web 1.example.com\",container=\"c-2\",} 200.0");
    Promtool.assertValid(text);

    table.remove("c-1");
    table.put("c-2", 50.0);
    assertThat(exposition.text())
        .doesNotContain("container=\"c-1\"")
        .contains(
            "drover_container_cpu_percent{node=\"web 1.example.com\",container=\"c-2\",} 50.0");

    // Nothing of the series stays in the registry between reads.
    assertThat(metrics.registry().getMetrics().keySet())
        .noneMatch(name -> name.startsWith("drover.container"));
  }

  @Test
  void scheduledReportersSeeTheSeriesUnderTheirDropwizardNames() throws Exception {
    Metrics metrics = metrics();
    table.put("c-1", 12.5);
    Path csv = dir.resolve("csv");
    MetricsConfig config =
        new MetricsConfig(
            false, false, false, Optional.of(csv), false, Duration.ofHours(1), Optional.empty());

    try (Reporters reporters = Reporters.start(metrics, config, "drover.readtimetest")) {
      reporters.reportNow();
      table.put("c-1", 25.0);
      reporters.reportNow();

      assertThat(
              Files.readAllLines(
                  csv.resolve("drover.container.cpu_percent.web_1_example_com.c-1.csv")))
          .hasSize(3)
          .satisfies(lines -> assertThat(lines.get(1)).endsWith(",12.5"))
          .satisfies(lines -> assertThat(lines.get(2)).endsWith(",25.0"));
      assertThat(csv.resolve("drover.nodes.READY.csv")).exists();
    }
    assertThat(metrics.registry().getGauges().keySet())
        .contains("drover.container.cpu_percent.web_1_example_com.c-1", "drover.nodes.READY");
    assertThat(metrics.registry().getMetrics().keySet())
        .noneMatch(name -> name.startsWith("drover.container"));
  }
}
