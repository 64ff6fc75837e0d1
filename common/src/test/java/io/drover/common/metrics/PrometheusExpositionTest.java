package io.drover.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusExpositionTest {

  private static Metrics sample() {
    Metrics metrics = new Metrics();
    metrics
        .gaugeFamily("drover.node.cpu_load", "CPU load of the node, 0..1", "node")
        .set(Map.of(List.of("web-1.example.com"), 0.25, List.of("web_1_example_com"), 0.5));
    metrics
        .gaugeFamily("drover.nodes", "nodes by state", "state")
        .set(Map.of(List.of("READY"), 1, List.of("LOST"), 0));
    metrics.counter("drover.placements", "instances placed", "node", "n1", "mode", "warm").inc(3);
    metrics.counter("drover.placements", "instances placed", "node", "n1", "mode", "cold").inc();
    Timer timer = metrics.timer("drover.reconcile.duration", "one reconcile pass");
    timer.update(Duration.ofMillis(12));
    metrics.gauge("drover.agent_streams.open", "open agent streams", () -> 2);
    metrics
        .gaugeFamily("drover.container.service_metric", "a service's metric", "node", "metric")
        .set(Map.of(List.of("n1", "hello.requests \"quoted\"\\"), 4.5));
    JvmMetrics.register(metrics);
    return metrics;
  }

  @Test
  void labelsComeOutAsLabelsNotInTheName() {
    String text = new PrometheusExposition(sample()).text();

    assertThat(text)
        .contains("drover_node_cpu_load{node=\"web-1.example.com\",} 0.25")
        .contains("drover_node_cpu_load{node=\"web_1_example_com\",} 0.5")
        .contains("drover_nodes{state=\"READY\",} 1.0")
        .contains("# TYPE drover_placements_total counter")
        .contains("drover_placements_total{node=\"n1\",mode=\"warm\",} 3.0")
        .contains("# HELP drover_node_cpu_load CPU load of the node, 0..1")
        .contains("drover_reconcile_duration_seconds_count 1.0")
        .contains("drover_agent_streams_open 2.0")
        .contains("drover_jvm_memory_heap_used ")
        .contains("drover_jvm_threads_state{state=\"runnable\",}")
        .doesNotContain("web-1_example_com");
  }

  @Test
  void theExpositionPassesPromtool() throws Exception {
    Promtool.assertValid(new PrometheusExposition(sample()).text());
  }

  @Test
  void aGoneSeriesLeavesTheRegistry() {
    Metrics metrics = new Metrics();
    GaugeFamily family = metrics.gaugeFamily("drover.node.cpu_load", "load", "node");
    family.set(Map.of(List.of("a"), 1, List.of("b"), 2));
    family.set(Map.of(List.of("b"), 3));

    assertThat(metrics.registry().getGauges().keySet()).containsExactly("drover.node.cpu_load.b");
    assertThat(new PrometheusExposition(metrics).text())
        .contains("drover_node_cpu_load{node=\"b\",} 3.0")
        .doesNotContain("node=\"a\"");
  }
}
