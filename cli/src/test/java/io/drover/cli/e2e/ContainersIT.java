package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real controller, two real agents and real container JVMs, driven through the real CLI: the
 * heart of Drover, end to end.
 */
class ContainersIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private DroverProcesses drover;
  private String controller;

  private void startCluster(String... agentPortRanges) throws IOException {
    assertThat(EXAMPLES).as("the examples jar, built before the CLI").exists();
    drover = new DroverProcesses(dir, cleanup);
    controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, "services: []\n");
    drover.start(
        "controller",
        "--listen",
        controller,
        "--http-listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.resolve("controller").toString(),
        "--catalog",
        catalog.toString(),
        "--ports-quarantine",
        "0s");
    for (int i = 0; i < agentPortRanges.length; i++) {
      drover.start(
          "agent",
          "--controller",
          controller,
          "--data-dir",
          dir.resolve("agent-" + i).toString(),
          "--name",
          "node-" + (i + 1),
          "--http-listen",
          "127.0.0.1:0",
          "--ports",
          agentPortRanges[i]);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            this::nodeStates,
            states ->
                states.size() == agentPortRanges.length
                    && states.stream().allMatch("READY"::equals));
  }

  @Test
  void twoServicesTimesTwoAnswerOnUniquePortsAndTheListingAgrees() throws Exception {
    startCluster("20000-20999", "21000-21999");
    apply(
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 4, initial: 2}
            ports: [http]
            warmPool: 1
          - name: plain
            artifact: {path: %s}
            entry: io.drover.examples.hello.PlainHello
            mode: cold
            replicas: {min: 1, max: 4, initial: 2}
            ports: [http]
        """
            .formatted(EXAMPLES, EXAMPLES));

    JsonNode instances = awaitReady(4);
    HttpClient http = HttpClient.newHttpClient();
    Set<String> seen = new HashSet<>();
    for (JsonNode instance : instances) {
      String id = instance.get("id").asText();
      int port = instance.get("ports").get(0).get("port").asInt();
      String node = instance.get("node").asText();
      assertThat(seen.add(node + ":" + port)).as("port %d twice on node %s", port, node).isTrue();
      String body =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://" + instance.get("address").asText() + ":" + port + "/"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(body).isEqualTo("hello from " + id + "\n");
    }
    // Both nodes take part: the instances of each service spread.
    assertThat(instances.findValuesAsText("nodeName")).contains("node-1", "node-2");
    JsonNode services = json("services");
    assertThat(services.findValuesAsText("name")).containsExactly("hello", "plain");
    assertThat(services.findValues("running")).allMatch(n -> n.asInt() == 2);
  }

  @Test
  void scalingUpTakesAnIdleContainerAndThePoolRefills() throws Exception {
    startCluster("20000-20999");
    apply(
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 4, initial: 1}
            ports: [http]
            warmPool: 2
            systemProperties: {hello.overloadEndpoint: "true"}
            scaling: {overload: true, overloadCooldown: 0s, upCooldown: 0s, interval: 10m}
        """
            .formatted(EXAMPLES));
    awaitReady(1);
    List<String> idle = awaitIdleContainers(2);

    var scaled = drover.run("scale", "hello", "2", "--controller", controller);
    assertThat(scaled.exitCode()).as(scaled.stderr()).isZero();
    JsonNode instances = awaitReady(2);
    String newest =
        StreamSupport.stream(instances.spliterator(), false)
            .filter(i -> i.get("id").asText().equals("hello-2"))
            .findFirst()
            .orElseThrow()
            .get("containerId")
            .asText();
    assertThat(idle)
        .as("the new instance runs in a container that waited in the pool")
        .contains(newest);
    List<String> refilled = awaitIdleContainers(2);
    assertThat(refilled).doesNotContain(newest);

    // A container's overload report (ServiceContext.reportOverload, behind hello's GET /overload)
    // reaches the controller through its agent, and the autoscaler adds one instance at once,
    // again from the pool.
    JsonNode first =
        StreamSupport.stream(instances.spliterator(), false)
            .filter(i -> i.get("id").asText().equals("hello-1"))
            .findFirst()
            .orElseThrow();
    HttpResponse<String> overload = request(first, "/overload");
    assertThat(overload.statusCode()).as(overload.body()).isEqualTo(202);
    JsonNode scaledUp =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    StreamSupport.stream(json("events").spliterator(), false)
                        .filter(e -> e.get("kind").asText().equals("SERVICE_SCALED"))
                        .filter(e -> "autoscaler".equals(e.get("attributes").path("by").asText()))
                        .toList(),
                scaledEvents -> scaledEvents.size() == 1)
            .get(0);
    assertThat(scaledUp.get("message").asText())
        .contains("overload reported by hello-1: asked to by GET /overload");
    assertThat(scaledUp.get("attributes").get("from").asText()).isEqualTo("2");
    assertThat(scaledUp.get("attributes").get("to").asText()).isEqualTo("3");
    String third =
        StreamSupport.stream(awaitReady(3).spliterator(), false)
            .filter(i -> i.get("id").asText().equals("hello-3"))
            .findFirst()
            .orElseThrow()
            .get("containerId")
            .asText();
    assertThat(refilled).as("the overload's instance also came from the pool").contains(third);
  }

  @Test
  void aPortHeldByAForeignProcessIsSkipped() throws Exception {
    startCluster("20500-20502");
    try (ServerSocket foreign = new ServerSocket(20500, 50, InetAddress.getByName("0.0.0.0"))) {
      apply(
          """
          services:
            - name: hello
              artifact: {path: %s}
              entry: io.drover.examples.hello.HelloService
              replicas: {min: 1, max: 1, initial: 1}
              ports: [http]
              warmPool: 1
          """
              .formatted(EXAMPLES));
      JsonNode instance = awaitReady(1).get(0);
      assertThat(instance.get("ports").get(0).get("port").asInt())
          .isNotEqualTo(foreign.getLocalPort());
      assertThat(json("events").findValuesAsText("kind")).contains("PORTS_BUSY");
    }
  }

  @Test
  void aWrongSha256FailsTheInstanceAndTheJarNeverRuns() throws Exception {
    startCluster("20000-20999");
    apply(
        """
        services:
          - name: hello
            artifact: {path: %s, sha256: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 1, initial: 1}
            ports: [http]
            warmPool: 1
        """
            .formatted(EXAMPLES, "0".repeat(64)));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> json("instances").findValuesAsText("state"), s -> s.contains("FAILED"));
    JsonNode failed = json("instances").get(0);
    assertThat(failed.get("reason").asText()).contains("sha256").contains("0".repeat(64));
    List<String> messages = new ArrayList<>();
    json("events")
        .forEach(
            e -> {
              if (e.get("kind").asText().equals("INSTANCE_FAILED")) {
                messages.add(e.get("message").asText());
              }
            });
    assertThat(messages).anyMatch(m -> m.contains("sha256"));
    // No container ever ran the service: the only ones are the idle pool.
    assertThat(json("containers").findValuesAsText("service")).allMatch(String::isEmpty);
  }

  @Test
  void aJarPushedToTheControllerRunsFromItsHash() throws Exception {
    startCluster("20000-20999");
    var pushed =
        drover.run(
            "artifact", "push", EXAMPLES.toString(), "--controller", controller, "-o", "json");
    assertThat(pushed.exitCode()).as(pushed.stderr()).isZero();
    String sha256 = JSON.readTree(pushed.stdout()).get("sha256").asText();
    assertThat(sha256).hasSize(64);
    apply(
        """
        services:
          - name: hello
            artifact: {blob: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 1, initial: 1}
            ports: [http]
            warmPool: 1
        """
            .formatted(sha256));
    JsonNode instance = awaitReady(1).get(0);
    assertThat(get(instance)).isEqualTo("hello from hello-1\n");
    // The agent fetched the jar into its cache, named by its hash.
    assertThat(dir.resolve("agent-0/artifacts/" + sha256 + ".jar")).exists();
  }

  @Test
  void runningOutOfPortsIsResourceExhaustedAndNamesTheNodeAndRange() throws Exception {
    startCluster("20600-20601");
    apply(
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 4, initial: 2}
            ports: [http]
            warmPool: 1
        """
            .formatted(EXAMPLES));
    awaitReady(2);
    var scaled = drover.run("scale", "hello", "3", "--controller", controller);
    assertThat(scaled.exitCode()).isEqualTo(1);
    assertThat(scaled.stderr().strip())
        .startsWith("drover: node node-1: no 1 free port in 20600-20601")
        .contains("hello stays at 3 desired");
  }

  @Test
  void anInstanceIsReadyOnlyOnceItsHealthCheckPasses() throws Exception {
    startCluster("20000-20999");
    apply(
        """
        services:
          - name: good
            artifact: {path: %1$s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 1, initial: 1}
            ports: [http]
            health: {type: http, path: /healthz}
          - name: bad
            artifact: {path: %1$s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 1, initial: 1}
            ports: [http]
            health: {type: http, path: /missing, interval: 1s, timeout: 1s}
            startTimeout: 3s
        """
            .formatted(EXAMPLES));
    JsonNode failed =
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> json("instances"),
                all ->
                    StreamSupport.stream(all.spliterator(), false)
                        .anyMatch(
                            i ->
                                i.get("id").asText().equals("bad-1")
                                    && i.get("state").asText().equals("FAILED")));
    JsonNode bad =
        StreamSupport.stream(failed.spliterator(), false)
            .filter(i -> i.get("id").asText().equals("bad-1"))
            .findFirst()
            .orElseThrow();
    assertThat(bad.get("reason").asText())
        .contains("health check did not pass")
        .contains("/missing")
        .contains("404");
    assertThat(bad.get("readyAt").isNull()).isTrue();
    JsonNode good =
        StreamSupport.stream(json("instances").spliterator(), false)
            .filter(i -> i.get("id").asText().equals("good-1"))
            .findFirst()
            .orElseThrow();
    assertThat(good.get("state").asText()).isEqualTo("READY");
  }

  private static String get(JsonNode instance) throws Exception {
    return request(instance, "/").body();
  }

  private static HttpResponse<String> request(JsonNode instance, String path) throws Exception {
    int port = instance.get("ports").get(0).get("port").asInt();
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://" + instance.get("address").asText() + ":" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private void apply(String yaml) throws IOException {
    Path file = dir.resolve("apply-" + System.nanoTime() + ".yaml");
    Files.writeString(file, yaml);
    var result = drover.run("apply", file.toString(), "--controller", controller);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
  }

  private JsonNode awaitReady(int count) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> json("instances"),
            all -> {
              long ready =
                  StreamSupport.stream(all.spliterator(), false)
                      .filter(i -> i.get("state").asText().equals("READY"))
                      .count();
              return ready == count && all.size() == count;
            });
  }

  private List<String> awaitIdleContainers(int count) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                StreamSupport.stream(json("containers").spliterator(), false)
                    .filter(c -> c.get("state").asText().equals("IDLE"))
                    .map(c -> c.get("id").asText())
                    .toList(),
            ids -> ids.size() == count);
  }

  /** The states of the nodes; none while the controller does not answer yet. */
  private List<String> nodeStates() throws IOException {
    var result = drover.run("nodes", "--controller", controller, "--output", "json");
    return result.exitCode() == 0
        ? JSON.readTree(result.stdout()).findValuesAsText("state")
        : List.of();
  }

  private JsonNode json(String verb) throws IOException {
    var result = drover.run(verb, "--controller", controller, "--output", "json");
    assertThat(result.exitCode()).as(verb + ": " + result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }
}
