package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.Instance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drover top} against a real controller and agent: its live screen read through tmux, q
 * quitting it, and {@code --once} for scripts.
 */
class TopIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void topShowsTheNodeAndTheInstanceLiveAndOnce() throws Exception {
    Path tmux = TestPrograms.require("tmux");
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 2, initial: 1}
            ports: [http]
        """
            .formatted(TestCluster.EXAMPLES));
    TestCluster cluster = TestCluster.onLoopback(drover);
    try (cluster) {
      cluster.startController(catalog);
      cluster.startAgent("top-node-1", "20000-20999");
      Instance hello =
          await()
              .atMost(Duration.ofSeconds(90))
              .ignoreExceptions()
              .until(cluster::ready, ready -> ready.size() == 1)
              .get(0);

      // --once: one plain frame, no escape codes.
      DroverProcesses.Result once =
          drover.run("top", "--once", "--controller", cluster.controllerAddress());
      assertThat(once.exitCode()).as(once.stderr()).isZero();
      assertThat(once.stdout())
          .startsWith("drover top  " + cluster.controllerAddress())
          .contains("top-node-1  READY")
          .containsPattern("hello-1 +hello +READY +top-node-1 +http=" + port(hello))
          .doesNotContain("\u001b");

      // Requests show up as the instance's request rate (its requests.rate1m).
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI uri = URI.create("http://" + hello.getAddress() + ":" + port(hello) + "/");
      JsonNode instance =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    for (int i = 0; i < 20; i++) {
                      http.send(
                          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                          HttpResponse.BodyHandlers.discarding());
                    }
                    DroverProcesses.Result json =
                        drover.run(
                            "top",
                            "--once",
                            "-o",
                            "json",
                            "--controller",
                            cluster.controllerAddress());
                    assertThat(json.exitCode()).as(json.stderr()).isZero();
                    return JSON.readTree(json.stdout()).get("instances").get(0);
                  },
                  i -> i.get("requestRate").isNumber() && i.get("requestRate").asDouble() > 0);
      assertThat(instance.get("id").asText()).isEqualTo("hello-1");
      assertThat(instance.get("nodeName").asText()).isEqualTo("top-node-1");
      assertThat(instance.get("rssBytes").asLong()).isPositive();

      // Live: the screen as a person sees it, then q.
      String socket = "drover-top-it-" + UUID.randomUUID().toString().substring(0, 8);
      try {
        tmux(
            tmux,
            socket,
            "new-session",
            "-d",
            "-s",
            "top",
            "-x",
            "150",
            "-y",
            "40",
            String.join(
                " ",
                drover.commandLine(
                    "top", "--controller", cluster.controllerAddress(), "--interval", "500ms")));
        String screen =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> tmux(tmux, socket, "capture-pane", "-p", "-t", "top"),
                    s -> s.contains("top-node-1") && s.contains("hello-1"));
        assertThat(screen)
            .contains("drover top  " + cluster.controllerAddress(), "q quits")
            .containsPattern("top-node-1 +READY +\\[[# ]{10}\\] +\\d+%")
            .containsPattern(
                "hello-1 +hello +READY +top-node-1 +http=" + port(hello) + " +[\\d.]+%");
        tmux(tmux, socket, "send-keys", "-t", "top", "q");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> tmuxExit(tmux, socket, "has-session", "-t", "top") != 0);
      } finally {
        tmuxExit(tmux, socket, "kill-server");
      }
    }
  }

  private static int port(Instance instance) {
    return instance.getPorts(0).getPort();
  }

  private String tmux(Path tmux, String socket, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "tmux-", ".out");
    int exit = tmuxRun(tmux, socket, out, args);
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(exit).as("tmux %s: %s", String.join(" ", args), output).isZero();
    return output;
  }

  private int tmuxExit(Path tmux, String socket, String... args)
      throws IOException, InterruptedException {
    return tmuxRun(tmux, socket, Files.createTempFile(dir, "tmux-", ".out"), args);
  }

  /** tmux on a server of this test's own (-L), so that no one else's sessions are touched. */
  private int tmuxRun(Path tmux, String socket, Path out, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of(tmux.toString(), "-L", socket, "-f", "/dev/null"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    builder.environment().put("TERM", "xterm-256color");
    builder.environment().remove("TMUX");
    Process process = builder.start();
    cleanup.register(process);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tmux " + String.join(" ", args) + " did not finish in 30 s");
    }
    return process.exitValue();
  }
}
