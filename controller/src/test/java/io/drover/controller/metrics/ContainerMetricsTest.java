package io.drover.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.agent.NodeAgent;
import io.drover.common.metrics.Promtool;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.containers.JvmProfile;
import io.drover.controller.nodes.NodeState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller re-exports what the agents say of their containers, labelled by node, service and
 * instance. The container here is only reported (as the agent's stream would), not started: what is
 * under test is the way from a container's metrics to the exposition.
 */
class ContainerMetricsTest {
  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  @Test
  void aContainersMetricsAreLabelledByNodeServiceAndInstance() throws Exception {
    Controller controller = cluster.controller(dir.resolve("controller"));
    NodeAgent agent = cluster.agent(controller.grpcPort(), dir.resolve("agent"), "node-b");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                controller
                    .nodes()
                    .get(agent.nodeId())
                    .map(n -> n.state() == NodeState.READY)
                    .orElse(false));

    ContainerView running =
        new ContainerView(
            "c-42",
            agent.nodeId(),
            ContainerStatus.RUNNING,
            new JvmProfile("default", "java", 64, List.of()),
            4242,
            Instant.now(),
            "orders",
            "orders-1",
            Map.of("http", 20005),
            "",
            0,
            new ContainerView.Restarts(0, Optional.empty(), ""));
    controller.scheduler().containerChanged(agent.nodeId(), running, "");
    controller
        .scheduler()
        .containerLoads(
            agent.nodeId(),
            Map.of(
                "c-42",
                new ContainerLoad(
                    12.5,
                    200L << 20,
                    30,
                    40,
                    50L << 20,
                    64L << 20,
                    Map.of("requests.rate1m", 7.25, "requests.p99", 0.042))));

    String labels =
        "{node=\"node-b\",service=\"orders\",instance=\"orders-1\",container=\"c-42\",}";
    String text = scrape(controller.httpPort());
    assertThat(text)
        .contains("drover_container_cpu_percent" + labels + " 12.5")
        .contains("drover_container_rss_bytes" + labels + " " + (double) (200L << 20))
        .contains("drover_container_heap_used_bytes" + labels + " " + (double) (50L << 20))
        .contains("drover_container_heap_max_bytes" + labels + " " + (double) (64L << 20))
        .contains(
            "drover_service_metric{node=\"node-b\",service=\"orders\",instance=\"orders-1\","
                + "metric=\"requests.rate1m\",} 7.25");
    Promtool.assertValid(text);
    // Read from the container table at the scrape: no gauge per container stays registered.
    assertThat(controller.metrics().metrics().registry().getMetrics().keySet())
        .noneMatch(
            name -> name.startsWith("drover.container.") || name.startsWith("drover.service."));

    // A container that exits leaves no series in the next scrape.
    controller
        .scheduler()
        .containerChanged(
            agent.nodeId(),
            new ContainerView(
                "c-42",
                agent.nodeId(),
                ContainerStatus.EXITED,
                running.profile(),
                4242,
                running.startedAt(),
                "orders",
                "orders-1",
                Map.of(),
                "",
                0,
                running.restarts()),
            "");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(scrape(controller.httpPort()))
                    .doesNotContain("c-42")
                    .doesNotContain("drover_service_metric{"));

    // The dashboard's container panels query metrics that exist.
    String dashboard = Files.readString(Path.of("..", "docs", "grafana", "drover.json"));
    Matcher names = Pattern.compile("drover_container_[a-z0-9_]+").matcher(dashboard);
    while (names.find()) {
      assertThat(text).contains("# TYPE " + names.group() + " ");
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
