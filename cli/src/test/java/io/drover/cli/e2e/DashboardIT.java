package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: a controller and an agent as processes, one instance running,
 * and headless Chromium showing the page after its first refresh from the JSON API.
 */
class DashboardIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void theDashboardShowsTheNodeAndItsInstance() throws Exception {
    Path chromium = TestPrograms.require("chromium");
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    int httpPort = FreePorts.find();
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
    drover.start(
        "controller",
        "--listen",
        controller,
        "--http-listen",
        "127.0.0.1:" + httpPort,
        "--data-dir",
        dir.resolve("controller").toString(),
        "--catalog",
        catalog.toString());
    try (TestCluster cluster = new TestCluster(drover, controller, controller, null)) {
      cluster.startAgent("dash-node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 1);
      String url = "http://127.0.0.1:" + httpPort + "/";

      // The page fills its tables from /v1/... after it loaded; the DOM is read after that.
      String dom =
          await()
              .atMost(Duration.ofSeconds(120))
              .until(
                  () -> browse(chromium, "--dump-dom", url),
                  page -> page.contains("data-refreshes=") && page.contains("hello-1"));
      assertThat(dom)
          .contains("<td class=\"node-name\"", ">dash-node-1</td>")
          .contains("data-instance=\"hello-1\"")
          .contains("data-service=\"hello\"")
          .contains("<span class=\"state good\">READY</span>")
          .contains("NODE_JOINED")
          .doesNotContain("cannot read the controller");

      Path screenshot = dir.resolve("dashboard.png");
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                browse(chromium, "--screenshot=" + screenshot, "--window-size=1280,900", url);
                return Files.exists(screenshot) && Files.size(screenshot) > 10_000;
              });
      byte[] png = Files.readAllBytes(screenshot);
      assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
      // Kept with the build's output, for a person to look at.
      Files.copy(
          screenshot,
          Path.of("target", "dashboard.png").toAbsolutePath(),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** One headless Chromium run against the page; its standard output. */
  private String browse(Path chromium, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                // Root (CI) cannot use Chromium's sandbox; the page is our own, on loopback.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + dir.resolve("chromium-profile"),
                // Lets the page's timers and fetches run before the DOM or screen is taken.
                "--virtual-time-budget=8000"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "chromium-", ".out");
    Process browser =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    cleanup.register(browser);
    if (!browser.waitFor(90, TimeUnit.SECONDS)) {
      ProcessCleanupExtension.killTrees(List.of(browser.toHandle()), Duration.ofSeconds(2));
      throw new AssertionError("chromium did not finish in 90 s: " + command);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
