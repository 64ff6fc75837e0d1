package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance that keeps crashing is restarted in place by its agent, with the same id and port,
 * after a backoff that grows; meanwhile it shows as RESTARTING with its restart count and last
 * error, and still counts, so no replacement races the restart.
 */
class CrashLoopIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void aCrashLoopingInstanceRestartsInPlaceWithAGrowingBackoffAndShowsIt() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        TestCluster.helloCatalog(
            dir,
            "replicas: {min: 1, max: 2, initial: 1}",
            "warmPool: 1",
            "systemProperties: {hello.crashEndpoint: \"true\"}",
            "recovery: {crashThreshold: 10}");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 1 && cluster.serves(cluster.ready().get(0)));
      Instance first = cluster.ready().get(0);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI crash =
          URI.create("http://" + first.getAddress() + ":" + first.getPorts(0).getPort() + "/crash");

      List<Long> backoffs = new ArrayList<>();
      for (int round = 1; round <= 3; round++) {
        try {
          http.send(
              HttpRequest.newBuilder(crash).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException expected) {
          // The JVM ends while answering.
        }
        long crashedAt = System.currentTimeMillis();
        AtomicReference<Instance> restarting = new AtomicReference<>();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .ignoreExceptions()
            .until(
                () -> {
                  Instance i = only(cluster);
                  if (i.getState() == InstanceState.INSTANCE_STATE_RESTARTING) {
                    restarting.set(i);
                    return true;
                  }
                  return false;
                });
        Instance waiting = restarting.get();
        assertThat(waiting.getId()).isEqualTo(first.getId());
        assertThat(waiting.getLastError()).contains("crashed");
        assertThat(waiting.getRestartAtMs()).isGreaterThan(0);
        backoffs.add(waiting.getRestartAtMs() - crashedAt);

        await()
            .atMost(Duration.ofSeconds(90))
            .ignoreExceptions()
            .until(
                () -> {
                  Instance i = only(cluster);
                  return i.getState() == InstanceState.INSTANCE_STATE_READY && cluster.serves(i);
                });
        Instance back = only(cluster);
        assertThat(back.getId()).isEqualTo(first.getId());
        assertThat(back.getPorts(0).getPort()).isEqualTo(first.getPorts(0).getPort());
        assertThat(back.getRestarts()).isEqualTo(round);
        // The CLI shows the crash loop's history once it runs again: restarts and last error.
        var listed =
            drover.run("instances", "--controller", cluster.controllerAddress(), "-o", "json");
        assertThat(listed.stdout())
            .contains("\"restarts\" : " + round)
            .contains("crashed (exited with code 3)");
      }
      // 1 s, 2 s, 4 s: each wait at least as long as the one before, and growing overall.
      assertThat(backoffs.get(1)).isGreaterThan(backoffs.get(0));
      assertThat(backoffs.get(2)).isGreaterThan(backoffs.get(1));
      assertThat(cluster.events(500))
          .filteredOn(e -> e.getKind().equals("INSTANCE_RESTARTING"))
          .hasSize(3);
      System.out.println("crash loop: backoffs after each crash " + backoffs + " ms");
    }
  }

  private static Instance only(TestCluster cluster) {
    List<Instance> live =
        cluster.instances().stream()
            .filter(
                i ->
                    i.getState() != InstanceState.INSTANCE_STATE_STOPPED
                        && i.getState() != InstanceState.INSTANCE_STATE_FAILED)
            .toList();
    assertThat(live).hasSize(1);
    return live.get(0);
  }
}
