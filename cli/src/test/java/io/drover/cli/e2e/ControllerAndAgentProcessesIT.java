package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/** The real controller and agent processes from the built jar, read through the real CLI. */
class ControllerAndAgentProcessesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void nodesListsTheAgentWithItsHardwareAndEventsTellTheStory() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    int grpc = FreePorts.find();
    int http = FreePorts.find();
    String controllerAddress = "127.0.0.1:" + grpc;
    DroverProcesses.Daemon controller =
        drover.start(
            "controller",
            "--listen",
            controllerAddress,
            "--http-listen",
            "127.0.0.1:" + http,
            "--data-dir",
            dir.resolve("controller").toString());
    DroverProcesses.Daemon agent =
        drover.start(
            "agent",
            "--controller",
            controllerAddress,
            "--data-dir",
            dir.resolve("agent").toString(),
            "--name",
            "e2e-1",
            "--http-listen",
            "127.0.0.1:0",
            "--ports",
            "20000-20999");

    JsonNode node =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> readyNode(drover, controllerAddress),
                n ->
                    n != null
                        && n.path("cpuLoad").isNumber()
                        && n.path("memoryUsedBytes").asLong() > 0);
    var hardware = new SystemInfo().getHardware();
    assertThat(node.get("name").asText()).isEqualTo("e2e-1");
    assertThat(node.get("cores").asInt())
        .isEqualTo(hardware.getProcessor().getLogicalProcessorCount());
    assertThat(node.get("memoryBytes").asLong()).isEqualTo(hardware.getMemory().getTotal());
    assertThat(node.get("agentPid").asLong()).isEqualTo(agent.process().pid());
    assertThat(node.get("address").asText()).isEqualTo("127.0.0.1");
    assertThat(node.get("containers").asInt()).isZero();
    assertThat(node.get("instancePorts").asText()).isEqualTo("20000-20999");

    var detail = drover.run("node", "e2e-1", "--controller", controllerAddress, "--output", "json");
    assertThat(detail.exitCode()).as(detail.stderr()).isZero();
    JsonNode details = JSON.readTree(detail.stdout());
    assertThat(details.get("hostname").asText()).isNotBlank();
    assertThat(details.get("interfaces").size()).isPositive();
    assertThat(details.get("telemetry").get("coreLoads").size())
        .isEqualTo(node.get("cores").asInt());

    var table = drover.run("--controller", controllerAddress, "nodes");
    assertThat(table.exitCode()).isZero();
    assertThat(table.stdout()).startsWith("ID").contains("e2e-1", "READY");

    var events = drover.run("events", "--controller", controllerAddress, "-o", "json");
    assertThat(events.exitCode()).isZero();
    assertThat(JSON.readTree(events.stdout()).findValuesAsText("kind"))
        .contains("CONTROLLER_STARTED", "NODE_JOINED");

    HttpResponse<String> healthz =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(healthz.statusCode()).isEqualTo(200);

    // kill -9 the agent: the controller notices the stream is gone.
    agent.process().destroyForcibly();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              var r = drover.run("nodes", "--controller", controllerAddress, "-o", "json");
              return JSON.readTree(r.stdout()).get(0).get("state").asText();
            },
            "DISCONNECTED"::equals);
    assertThat(controller.process().isAlive()).isTrue();
  }

  @Test
  void errorsAreOneLineWithTheRightExitCode() {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    int grpc = FreePorts.find();
    String controllerAddress = "127.0.0.1:" + grpc;
    drover.start(
        "controller",
        "--listen",
        controllerAddress,
        "--http-listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.resolve("controller").toString());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> drover.run("nodes", "--controller", controllerAddress).exitCode() == 0);

    var missing = drover.run("node", "nope", "--controller", controllerAddress);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr().strip()).isEqualTo("drover: node 'nope' not found");

    var unreachable = drover.run("nodes", "--controller", "127.0.0.1:" + FreePorts.find());
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.stderr().strip())
        .startsWith("drover: cannot reach the controller at 127.0.0.1:")
        .doesNotContain("\n");

    var badUsage = drover.run("nodes", "--output", "xml");
    assertThat(badUsage.exitCode()).isEqualTo(2);

    var badConfig =
        drover.run("controller", "--telemetry-interval", "5x", "--data-dir", dir.toString());
    assertThat(badConfig.exitCode()).isEqualTo(1);
    assertThat(badConfig.stderr().strip())
        .isEqualTo(
            "drover: bad configuration: --telemetry-interval: telemetryInterval: '5x' is not a"
                + " duration such as 500ms, 5s, 2m, 1h or 1d");

    var portTaken =
        drover.run(
            "controller",
            "--listen",
            controllerAddress,
            "--http-listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.resolve("second").toString());
    assertThat(portTaken.exitCode()).isEqualTo(1);
    assertThat(portTaken.stderr().strip())
        .startsWith("drover: cannot listen for gRPC on " + controllerAddress);
  }

  /** The first node of `drover nodes -o json` if it is READY, else null. */
  private static JsonNode readyNode(DroverProcesses drover, String controller) throws Exception {
    var result = drover.run("nodes", "--controller", controller, "--output", "json");
    if (result.exitCode() != 0) {
      return null;
    }
    JsonNode nodes = JSON.readTree(result.stdout());
    return nodes.size() == 1 && nodes.get(0).get("state").asText().equals("READY")
        ? nodes.get(0)
        : null;
  }
}
