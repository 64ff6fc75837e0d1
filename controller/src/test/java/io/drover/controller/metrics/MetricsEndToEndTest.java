package io.drover.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.agent.NodeAgent;
import io.drover.common.metrics.Promtool;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.events.EventKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real controller and a real agent in this JVM: their /metrics say what they hold. */
class MetricsEndToEndTest {
  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void anAgentThatJoinsIsOneReadyNodeWithItsLoadLabelledByName() throws Exception {
    Controller controller = cluster.controller(dir.resolve("controller"));
    assertThat(scrape(controller.httpPort())).contains("drover_nodes{state=\"READY\",} 0.0");

    NodeAgent agent = cluster.agent(controller.grpcPort(), dir.resolve("agent"), "node-a.example");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> scrape(controller.httpPort()).contains("drover_nodes{state=\"READY\",} 1.0"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                value(scrape(controller.httpPort()), "drover_telemetry_lag_seconds_count") >= 1
                    && scrape(controller.httpPort())
                        .contains("drover_node_cpu_load{node=\"node-a.example\",}"));

    String text = scrape(controller.httpPort());
    assertThat(text)
        .contains("drover_nodes{state=\"LOST\",} 0.0")
        .contains("drover_agent_streams_open 1.0")
        .contains("drover_node_memory_total_bytes{node=\"node-a.example\",}")
        .contains("drover_ports_free{node=\"node-a.example\",} 1000.0")
        .contains("drover_instances{state=\"READY\",} 0.0")
        .contains("drover_jvm_memory_heap_used ");
    assertThat(value(text, "drover_reconcile_duration_seconds_count")).isPositive();
    assertThat(value(text, "drover_node_memory_available_bytes{node=\"node-a.example\",}"))
        .isPositive();
    Promtool.assertValid(text);

    // Every metric the Grafana dashboard queries is one this controller exports (container
    // metrics need a running container: they are checked in ContainerMetricsTest).
    controller
        .events()
        .publish(
            EventKind.INSTANCE_PLACED,
            "instance/x-1",
            "placed",
            Map.of("node", "n", "mode", "cold"));
    controller
        .events()
        .publish(EventKind.SERVICE_SCALED, "service/x", "scaled", Map.of("from", "2", "to", "1"));
    String withCounters = scrape(controller.httpPort());
    String dashboard = Files.readString(Path.of("..", "docs", "grafana", "drover.json"));
    Matcher names = Pattern.compile("drover_[a-z0-9_]+").matcher(dashboard);
    int queried = 0;
    while (names.find()) {
      if (names.group().startsWith("drover_container_")) {
        continue; // this cluster runs no container JVM
      }
      queried++;
      assertThat(withCounters)
          .as("the dashboard's %s", names.group())
          .contains("# TYPE " + names.group() + " ");
    }
    assertThat(queried).isGreaterThan(5);

    String agentText = scrape(agent.httpPort());
    assertThat(agentText)
        .contains("drover_agent_link_connected 1.0")
        .contains("drover_agent_containers{state=\"RUNNING\",} 0.0")
        .contains("drover_agent_warm_pool_size ")
        .contains("drover_jvm_threads_live ");
    Promtool.assertValid(agentText);
  }

  @Test
  void placementsAndScaleDecisionsAreCountedFromTheEvents() throws Exception {
    Controller controller = cluster.controller(dir.resolve("controller"));
    controller
        .events()
        .publish(
            EventKind.INSTANCE_PLACED,
            "instance/hello-1",
            "hello-1 on n1: warm container",
            Map.of("node", "n1", "mode", "warm"));
    controller
        .events()
        .publish(
            EventKind.SERVICE_SCALED,
            "service/hello",
            "scaled hello 1→3",
            Map.of("from", "1", "to", "3", "by", "autoscaler"));

    String text = scrape(controller.httpPort());
    assertThat(text)
        .contains("# TYPE drover_placements_total counter")
        .contains("drover_placements_total{node=\"n1\",mode=\"warm\",} 1.0")
        .contains(
            "drover_scale_decisions_total{service=\"hello\",by=\"autoscaler\",direction=\"up\",}"
                + " 1.0");
    Promtool.assertValid(text);
  }

  private String scrape(int port) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    return response.body();
  }

  /** The value of the first sample named exactly so (with its labels, if any). */
  private static double value(String text, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([^ \\n]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
