package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workloads outlive their agent: a real controller and agent from the built jar, {@code kill -9} of
 * the agent, and a new agent on the same data dir that adopts the running containers without
 * restarting anything.
 */
class AgentRestartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private DroverProcesses drover;
  private String controller;
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopPolling() {
    poller.shutdownNow();
  }

  @Test
  void aKilledAgentComesBackAndAdoptsItsRunningInstancesWithoutRestartingThem() throws Exception {
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
        // What is tested is re-adoption, not how fast a dead node is replaced: the restarted
        // agent must be back before the node counts as lost, however slow a busy machine is.
        "--suspect-after",
        "20s",
        "--lost-after",
        "60s");
    String[] agentArgs = {
      "agent",
      "--controller",
      controller,
      "--data-dir",
      dir.resolve("agent").toString(),
      "--name",
      "node-1",
      "--http-listen",
      "127.0.0.1:0",
      "--ports",
      "23100-23199"
    };
    DroverProcesses.Daemon agent = drover.start(agentArgs);
    awaitNode(agent.process().pid());

    Path apply = dir.resolve("hello.yaml");
    Files.writeString(
        apply,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 4, initial: 1}
            ports: [http]
        """
            .formatted(EXAMPLES));
    assertThat(drover.run("apply", apply.toString(), "--controller", controller).exitCode())
        .isZero();
    awaitReady(1);
    var scaled = drover.run("scale", "hello", "2", "--controller", controller);
    assertThat(scaled.exitCode()).as(scaled.stderr()).isZero();
    Map<String, JsonNode> before = byId(awaitReady(2));
    for (JsonNode instance : before.values()) {
      ProcessHandle.of(instance.get("pid").asLong()).ifPresent(cleanup::register);
      assertThat(instance.get("restarts").asInt()).isZero();
    }

    // Every instance answers, every 100 ms, from now until the scale-down at the end.
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger answers = new AtomicInteger();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    poller.scheduleWithFixedDelay(
        () -> {
          for (JsonNode instance : before.values()) {
            String id = instance.get("id").asText();
            try {
              String body = get(http, instance);
              if (body.equals("hello from " + id + "\n")) {
                answers.incrementAndGet();
              } else {
                failures.add(id + " answered " + body);
              }
            } catch (IOException e) {
              failures.add(id + ": " + e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);

    // kill -9 the agent alone.
    agent.process().destroyForcibly();
    assertThat(agent.waitForExit(Duration.ofSeconds(10))).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> nodeState().equals("DISCONNECTED"));
    for (JsonNode instance : before.values()) {
      assertThat(ProcessHandle.of(instance.get("pid").asLong()).map(ProcessHandle::isAlive))
          .as("the container of %s outlives its agent", instance.get("id").asText())
          .contains(true);
    }
    int answeredWithoutAgent = answers.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() >= answeredWithoutAgent + 4);

    // A new agent on the same data dir.
    DroverProcesses.Daemon second = drover.start(agentArgs);
    awaitNode(second.process().pid());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(second.output())
                    .contains("2 container(s) adopted")
                    .contains("attached again: RUNNING, instance hello-1")
                    .contains("attached again: RUNNING, instance hello-2"));
    Map<String, JsonNode> after = byId(awaitReady(2));
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String id : before.keySet()) {
      JsonNode was = before.get(id);
      JsonNode is = after.get(id);
      assertThat(is.get("pid").asLong()).as("pid of %s", id).isEqualTo(was.get("pid").asLong());
      assertThat(is.get("containerId").asText())
          .as("container of %s", id)
          .isEqualTo(was.get("containerId").asText());
      assertThat(is.get("ports")).as("ports of %s", id).isEqualTo(was.get("ports"));
      assertThat(is.get("restarts").asInt()).as("restarts of %s", id).isZero();
    }
    int answeredAfter = answers.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.get() >= answeredAfter + 4);
    poller.shutdownNow();
    poller.awaitTermination(5, TimeUnit.SECONDS);
    assertThat(failures).as("requests that failed while the agent was away").isEmpty();
    assertThat(json("events").findValuesAsText("kind")).doesNotContain("INSTANCE_FAILED");

    // The containers are attached again: a scale-down stops one gracefully, through the link.
    assertThat(drover.run("scale", "hello", "1", "--controller", controller).exitCode()).isZero();
    JsonNode stopped = before.get("hello-2");
    ProcessHandle process = ProcessHandle.of(stopped.get("pid").asLong()).orElseThrow();
    await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive());
    Path log =
        dir.resolve("agent/containers")
            .resolve(stopped.get("containerId").asText())
            .resolve("service.log");
    assertThat(Files.readString(log))
        .contains("stopping (released by the agent")
        .contains("exiting with code 0");
    // Stopped instances stay listed for a while, as STOPPED.
    Map<String, JsonNode> end =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> byId(json("instances")),
                all -> all.get("hello-2").get("state").asText().equals("STOPPED"));
    assertThat(end.get("hello-1").get("state").asText()).isEqualTo("READY");
    assertThat(get(http, before.get("hello-1"))).isEqualTo("hello from hello-1\n");
    assertThat(json("events").findValuesAsText("kind"))
        .contains("INSTANCE_STOPPED")
        .doesNotContain("INSTANCE_FAILED");
  }

  private static String get(HttpClient http, JsonNode instance)
      throws IOException, InterruptedException {
    int port = instance.get("ports").get(0).get("port").asInt();
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private void awaitNode(long agentPid) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var result = drover.run("nodes", "--controller", controller, "--output", "json");
              if (result.exitCode() != 0) {
                return false;
              }
              JsonNode nodes = JSON.readTree(result.stdout());
              return nodes.size() == 1
                  && nodes.get(0).get("state").asText().equals("READY")
                  && nodes.get(0).get("agentPid").asLong() == agentPid;
            });
  }

  private String nodeState() throws IOException {
    JsonNode nodes = json("nodes");
    return nodes.size() == 1 ? nodes.get(0).get("state").asText() : "";
  }

  private JsonNode awaitReady(int count) {
    return await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> json("instances"),
            all ->
                all.size() == count
                    && StreamSupport.stream(all.spliterator(), false)
                        .allMatch(i -> i.get("state").asText().equals("READY")));
  }

  private static Map<String, JsonNode> byId(JsonNode instances) {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    List<JsonNode> sorted = new ArrayList<>();
    instances.forEach(sorted::add);
    sorted.forEach(i -> byId.put(i.get("id").asText(), i));
    return byId;
  }

  private JsonNode json(String verb) throws IOException {
    var result = drover.run(verb, "--controller", controller, "--output", "json");
    assertThat(result.exitCode()).as(verb + ": " + result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }
}
