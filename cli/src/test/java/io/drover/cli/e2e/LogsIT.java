package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.Instance;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.StreamLogsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drover logs}: an instance's log read by its agent from the container's file, carried over
 * the agent's stream through the controller to the CLI, as separate real processes.
 */
class LogsIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void logsShowsTheStartFollowsNewLinesAndEndsWhenTheInstanceStops() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(
          TestCluster.helloCatalog(
              dir,
              "replicas: {min: 0, max: 2, initial: 1}",
              "systemProperties: {hello.logRequests: \"true\"}"),
          // The agent is killed and started again below: its node must not be declared lost.
          "--lost-after",
          "60s");
      DroverProcesses.Daemon agent = cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 1);
      Instance hello = cluster.ready().get(0);
      String id = hello.getId();
      String controller = cluster.controllerAddress();

      // Without --follow: the last lines, the service's start among them, then exit 0.
      DroverProcesses.Result tail = drover.run("logs", id, "--controller", controller);
      assertThat(tail.exitCode()).as(tail.stderr()).isZero();
      assertThat(tail.stdout())
          .contains("hello " + id + " listening on port " + hello.getPorts(0).getPort());
      DroverProcesses.Result one =
          drover.run("logs", id, "--tail", "1", "--controller", controller);
      assertThat(one.exitCode()).as(one.stderr()).isZero();
      assertThat(one.stdout().lines().toList()).hasSize(1);

      // An unknown instance: NOT_FOUND naming it, and a non-zero exit with one line.
      DroverProcesses.Result unknown = drover.run("logs", "nope-9", "--controller", controller);
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.stderr().strip()).isEqualTo("drover: instance 'nope-9' not found");
      assertThatThrownBy(
              () ->
                  cluster
                      .control()
                      .streamLogs(StreamLogsRequest.newBuilder().setInstanceId("nope-9").build())
                      .hasNext())
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

      // --follow gets a line written after the call started; stopping the CLI ends it.
      DroverProcesses.Daemon follow =
          drover.start("logs", id, "--follow", "--controller", controller);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> follow.output().contains("listening on port"));
      assertThat(get(hello, "/written-after-the-call-started")).isEqualTo(404);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> follow.output().contains("hello " + id + ": GET /written-after"));
      int agentHttp =
          cluster
              .control()
              .listNodes(ListNodesRequest.getDefaultInstance())
              .getNodes(0)
              .getHttpPort();
      assertThat(logStreams(agentHttp)).as("logs the agent reads").isEqualTo(1);
      // SIGTERM, as Ctrl-C: the CLI cancels its call, and the agent stops reading.
      follow.process().destroy();
      assertThat(follow.waitForExit(Duration.ofSeconds(20)))
          .as("the following CLI exits when stopped")
          .isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> logStreams(agentHttp) == 0);

      // The agent goes away during a follow: the CLI fails with UNAVAILABLE naming the node.
      DroverProcesses.Daemon cutOff =
          drover.start("logs", id, "--follow", "--controller", controller);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cutOff.output().contains("listening on port"));
      agent.process().destroyForcibly();
      assertThat(cutOff.waitForExit(Duration.ofSeconds(30)))
          .as("the follow ends when the agent disconnects")
          .isTrue();
      assertThat(cutOff.process().exitValue()).as(cutOff.output()).isEqualTo(1);
      assertThat(cutOff.output())
          .contains(
              "drover: UNAVAILABLE: node node-1: its agent is disconnected; the log of instance "
                  + id
                  + " ends here");
      // A new agent adopts the container (kill -9 of the agent kills no container): the log is
      // there again.
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  drover.run("logs", id, "--tail", "1", "--controller", controller).exitCode()
                      == 0);

      // --follow ends by itself, with exit 0 and a reason, once the instance is gone.
      DroverProcesses.Daemon untilGone =
          drover.start("logs", id, "--follow", "--controller", controller);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> untilGone.output().contains("listening on port"));
      assertThat(get(hello, "/before-the-stop")).isEqualTo(404);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> untilGone.output().contains("GET /before-the-stop"));
      DroverProcesses.Result scaled = drover.run("scale", "hello", "0", "--controller", controller);
      assertThat(scaled.exitCode()).as(scaled.stderr()).isZero();
      assertThat(untilGone.waitForExit(Duration.ofSeconds(60)))
          .as("the log ends once the instance has stopped")
          .isTrue();
      assertThat(untilGone.process().exitValue()).as(untilGone.output()).isZero();
      List<String> lines = untilGone.output().lines().toList();
      assertThat(lines).contains("hello " + id + " stopped");
      assertThat(lines.get(lines.size() - 1))
          .startsWith("drover: instance " + id + " no longer runs on this node")
          .contains("node-1");
    }
  }

  /** The agent's {@code drover_agent_log_streams}, from its Prometheus endpoint. */
  private static int logStreams(int agentHttpPort) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentHttpPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher value = Pattern.compile("(?m)^drover_agent_log_streams ([0-9.]+)$").matcher(metrics);
    assertThat(value.find()).as("drover_agent_log_streams in the agent's metrics").isTrue();
    return (int) Double.parseDouble(value.group(1));
  }

  private static int get(Instance instance, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://"
                            + instance.getAddress()
                            + ":"
                            + instance.getPorts(0).getPort()
                            + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }
}
