package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** `drover dev` starts a controller and agent processes, and leaves nothing behind when stopped. */
class DevModeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DATA_DIR =
      Pattern.compile("data dir\\s+(\\S+) \\(deleted on exit\\)");

  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void startsTwoReadyNodesAndStopsEverythingOnSigterm() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = helloCatalog(0);
    DroverProcesses.Daemon dev =
        drover.start(
            "dev",
            "--agents",
            "2",
            "--listen",
            controller,
            "--http-listen",
            "127.0.0.1:0",
            "--agent-http-port",
            "0",
            "--ports",
            "20000-21999",
            "--catalog",
            catalog.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(dev::output, out -> out.contains("Ready: 2 nodes READY"));

    var nodes =
        JSON.readTree(drover.run("nodes", "--controller", controller, "-o", "json").stdout());
    assertThat(nodes.findValuesAsText("state")).containsExactly("READY", "READY");
    assertThat(nodes.findValuesAsText("name")).containsExactly("dev-1", "dev-2");
    assertThat(nodes.findValuesAsText("instancePorts"))
        .containsExactly("20000-20999", "21000-21999");

    Matcher m = DATA_DIR.matcher(dev.output());
    assertThat(m.find()).as(dev.output()).isTrue();
    Path dataDir = Path.of(m.group(1));
    assertThat(dataDir).isDirectory();
    // The two agents and the container that runs hello-1.
    List<ProcessHandle> children =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> dev.process().descendants().toList(), all -> all.size() == 3);

    dev.process().destroy(); // SIGTERM, as Ctrl-C or systemd would
    assertThat(dev.waitForExit(Duration.ofSeconds(30))).isTrue();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(dev.output()).contains("none left running");
    assertThat(Files.exists(dataDir)).isFalse();
  }

  @Test
  void agentsAndContainersDoNotOutliveADevProcessKilledHard() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = helloCatalog(1);
    DroverProcesses.Daemon dev =
        drover.start(
            "dev",
            "--listen",
            controller,
            "--http-listen",
            "127.0.0.1:0",
            "--agent-http-port",
            "0",
            "--data-dir",
            dir.resolve("dev").toString(),
            "--catalog",
            catalog.toString());
    await()
        .atMost(Duration.ofSeconds(90))
        .until(dev::output, out -> out.contains("hello-1") && out.contains("http://127.0.0.1:"));
    // The agent, the container running hello-1 and the spare of the warm pool.
    List<ProcessHandle> children =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> dev.process().descendants().toList(), all -> all.size() == 3);

    dev.process().destroyForcibly(); // kill -9: no shutdown hook runs
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    // A given data dir is kept, with the agent's log telling why it stopped.
    assertThat(Files.readString(dir.resolve("dev/agent-1/agent.log"))).contains("parent process");
  }

  /** A catalog of one hello instance, with a warm pool of {@code warmPool} per node. */
  private Path helloCatalog(int warmPool) throws java.io.IOException {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 1, initial: 1}
            ports: [http]
            warmPool: %d
        """
            .formatted(EXAMPLES, warmPool));
    return catalog;
  }
}
