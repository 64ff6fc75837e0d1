package io.drover.controller.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.EventKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The read-only JSON API and the dashboard's files on a real controller's HTTP port. */
class ReadApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CATALOG =
      """
      services:
        - name: big
          artifact: {path: big.jar}
          entry: example.Big
          replicas: {min: 1, max: 3, initial: 2}
          ports: [http]
          resources: {memoryMb: 1048576}
      """;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Controller controller;

  private void startController(boolean withCatalog) throws IOException {
    ControllerConfig config =
        ControllerConfig.defaults(
            Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"));
    if (withCatalog) {
      Path catalog = dir.resolve("catalog.yaml");
      Files.writeString(catalog, CATALOG);
      config = config.withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir));
    }
    controller = cluster.controller(config);
  }

  @Test
  void aClusterWithANodeAServiceAndItsPendingInstances() throws Exception {
    startController(true);
    cluster.agent(controller.grpcPort(), dir.resolve("agent"), "web-1");

    JsonNode node =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> json("/v1/nodes"),
                nodes ->
                    nodes.size() == 1
                        && nodes.get(0).has("cpuLoad")
                        && nodes.get(0).get("memoryUsedBytes").asLong() > 0)
            .get(0);
    assertThat(fields(node))
        .containsExactly(
            "id",
            "name",
            "state",
            "address",
            "cores",
            "memoryBytes",
            "cpuLoad",
            "memoryUsedBytes",
            "agentPid",
            "containers",
            "agentVersion",
            "sessionEpoch",
            "lastSeen",
            "instancePorts",
            "httpPort");
    assertThat(node.get("name").asText()).isEqualTo("web-1");
    assertThat(node.get("state").asText()).isEqualTo("READY");
    assertThat(node.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(node.get("memoryBytes").asLong()).isPositive();
    assertThat(node.get("agentPid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(node.get("instancePorts").asText()).isEqualTo("20000-20999");
    assertThat(node.get("lastSeen").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    JsonNode service =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> json("/v1/services"), services -> services.size() == 1)
            .get(0);
    assertThat(fields(service))
        .containsExactly(
            "name",
            "desired",
            "running",
            "min",
            "max",
            "starting",
            "pending",
            "failed",
            "mode",
            "profile",
            "entry");
    assertThat(service.get("name").asText()).isEqualTo("big");
    assertThat(service.get("desired").asInt()).isEqualTo(2);
    assertThat(service.get("running").asInt()).isZero();
    assertThat(service.get("mode").asText()).isEqualTo("warm");

    JsonNode instances =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> json("/v1/instances?service=big"),
                all -> all.size() == 2 && !all.get(0).get("reason").asText().isEmpty());
    JsonNode instance = instances.get(0);
    assertThat(fields(instance))
        .containsExactly(
            "id",
            "service",
            "node",
            "nodeName",
            "state",
            "address",
            "ports",
            "pid",
            "containerId",
            "restarts",
            "reason",
            "createdAt",
            "readyAt",
            "lastError",
            "restartAt");
    assertThat(instance.get("state").asText()).isEqualTo("PENDING");
    assertThat(instance.get("service").asText()).isEqualTo("big");
    assertThat(instance.get("readyAt").isNull()).isTrue();
    assertThat(instance.get("ports").isArray()).isTrue();
    assertThat(json("/v1/instances?service=other")).isEmpty();
    assertThat(json("/v1/instances?node=web-1")).isEmpty();

    JsonNode summary = json("/v1/cluster");
    assertThat(summary.get("nodesTotal").asInt()).isEqualTo(1);
    assertThat(summary.get("nodesByState").get("READY").asInt()).isEqualTo(1);
    assertThat(summary.get("nodesByState").get("LOST").asInt()).isZero();
    assertThat(summary.get("logicalCoresTotal").asInt()).isEqualTo(node.get("cores").asInt());
    assertThat(summary.get("memoryBytesTotal").asLong())
        .isEqualTo(node.get("memoryBytes").asLong());
    assertThat(summary.get("instancesTotal").asInt()).isEqualTo(2);
    assertThat(summary.get("servicesTotal").asInt()).isEqualTo(1);
    assertThat(summary.get("controllerVersion").asText()).isNotBlank();

    assertThat(json("/v1/containers")).isEmpty();
  }

  @Test
  void eventsAreTheJournalsTailOldestFirst() throws Exception {
    startController(false);
    for (int i = 1; i <= 5; i++) {
      controller.events().publish(EventKind.NODE_JOINED, "node/n" + i, "joined " + i);
    }
    JsonNode events = json("/v1/events?tail=2");
    assertThat(events).hasSize(2);
    assertThat(fields(events.get(0)))
        .containsExactly("sequence", "time", "kind", "subject", "message", "attributes");
    assertThat(events.get(0).get("subject").asText()).isEqualTo("node/n4");
    assertThat(events.get(1).get("subject").asText()).isEqualTo("node/n5");
    assertThat(events.get(1).get("kind").asText()).isEqualTo("NODE_JOINED");
    assertThat(events.get(1).get("sequence").asLong())
        .isGreaterThan(events.get(0).get("sequence").asLong());
    // Without a tail: the last 50, here all six with the controller's own start first.
    assertThat(json("/v1/events")).hasSize(6);
    assertThat(json("/v1/events").get(0).get("kind").asText()).isEqualTo("CONTROLLER_STARTED");
    assertThat(json("/v1/events?tail=0")).isEmpty();
  }

  @Test
  void badRequestsGetAJsonErrorThatSaysWhat() throws Exception {
    startController(false);
    assertError(
        "/v1/events?tail=many", 400, "tail: give a whole number from 0 to 100000, not 'many'");
    assertError("/v1/events?tail=100001", 400, "tail: give a whole number from 0 to 100000");
    assertError("/v1/events?tail=-1", 400, "tail:");
    assertError(
        "/v1/nodes?state=READY", 400, "state: unknown parameter of /v1/nodes, which takes none");
    assertError(
        "/v1/instances?nod=x",
        400,
        "nod: unknown parameter of /v1/instances; it takes service, node");
    assertError("/v1/instances?node=ghost", 404, "node 'ghost' not found");
    assertError("/v1/containers?node=ghost", 404, "node 'ghost' not found");
    assertError("/v1/nothing", 404, "no such path '/v1/nothing'; the JSON API has /v1/cluster");
    assertError("/nothing.html", 404, "no such path '/nothing.html'; the dashboard is at /");

    HttpResponse<String> post =
        http.send(
            request("/v1/nodes").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void theDashboardIsServedFromTheJarWithAStrictPolicy() throws Exception {
    startController(false);
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(policy -> assertThat(policy).contains("default-src 'none'"));
    assertThat(page.body()).contains("<title>Drover</title>", "dashboard.js", "dashboard.css");

    HttpResponse<String> script = get("/dashboard.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("v1/nodes").doesNotContain("innerHTML");
    assertThat(get("/dashboard.css").headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    // Only the dashboard's own files: no way out of its folder.
    assertThat(get("/../ReadApi.class").statusCode()).isEqualTo(404);
    assertThat(get("/%2e%2e/ReadApi.class").statusCode()).isEqualTo(404);

    HttpResponse<String> healthz = get("/healthz");
    assertThat(healthz.statusCode()).isEqualTo(200);
    assertThat(get("/v1/nodes").headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  private void assertError(String path, int status, String message) throws Exception {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("error").asText()).as(path).startsWith(message);
  }

  private JsonNode json(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
  }

  private static List<String> fields(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
