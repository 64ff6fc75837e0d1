package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerState;
import io.drover.v1.Event;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance that reports errors over its service's threshold, on a node that stays reachable, is
 * replaced make-before-break on another node, and the policy marks its node unhealthy.
 */
class ErrorRecoveryIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void errorsOverTheThresholdReplaceTheInstanceElsewhereBeforeItStops() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        TestCluster.helloCatalog(
            dir,
            "replicas: {min: 1, max: 2, initial: 1}",
            "warmPool: 1",
            "systemProperties: {hello.errorEndpoint: \"true\"}",
            "recovery: {errorThreshold: 3, errorWindow: 1m, onErrors: unhealthy}");
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> cluster.ready().size() == 1 && cluster.serves(cluster.ready().get(0)));
      Instance failing = cluster.ready().get(0);
      cluster.startAgent("node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  cluster
                      .control()
                      .listContainers(ListContainersRequest.newBuilder().setNode("node-2").build())
                      .getContainersList()
                      .stream()
                      .anyMatch(
                          c -> c.getContainer().getState() == ContainerState.CONTAINER_STATE_IDLE));

      AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
      AtomicBoolean sampling = new AtomicBoolean(true);
      CompletableFuture<Void> sampler =
          CompletableFuture.runAsync(
              () -> {
                while (sampling.get()) {
                  try {
                    fewest.accumulateAndGet(cluster.ready().size(), Math::min);
                  } catch (RuntimeException e) {
                    // A slow answer is not a sample.
                  }
                }
              });
      HttpClient http = HttpClient.newHttpClient();
      URI error =
          URI.create(
              "http://" + failing.getAddress() + ":" + failing.getPorts(0).getPort() + "/error");
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(error).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(202);
      }

      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                List<Instance> ready = cluster.ready();
                return ready.size() == 1
                    && ready.get(0).getNodeName().equals("node-2")
                    && cluster.serves(ready.get(0));
              });
      sampling.set(false);
      sampler.get(10, TimeUnit.SECONDS);
      assertThat(fewest.get()).as("fewest READY instances while it was replaced").isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> !cluster.serves(failing));

      List<Event> events = cluster.events(300);
      assertThat(events)
          .anyMatch(
              e ->
                  e.getKind().equals("INSTANCE_REPLACING")
                      && e.getSubject().equals("instance/" + failing.getId())
                      && e.getMessage().contains("3 errors within 1m"));
      assertThat(events).anyMatch(e -> e.getKind().equals("NODE_UNHEALTHY"));
      assertThat(
              cluster
                  .control()
                  .getNode(GetNodeRequest.newBuilder().setNode("node-1").build())
                  .getCordoned())
          .isTrue();
    }
  }
}
