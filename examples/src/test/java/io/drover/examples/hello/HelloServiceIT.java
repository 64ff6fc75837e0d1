package io.drover.examples.hello;

import static io.drover.examples.hello.ExampleContainers.START;
import static io.drover.examples.hello.ExampleContainers.assignment;
import static io.drover.examples.hello.ExampleContainers.attached;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.container.testing.Http;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HelloService from the packaged jar in a real container JVM, driven by a fake agent. */
class HelloServiceIT {
  static final ContainerState LOADING = ContainerState.CONTAINER_STATE_LOADING;
  static final ContainerState RUNNING = ContainerState.CONTAINER_STATE_RUNNING;
  static final ContainerState STOPPING = ContainerState.CONTAINER_STATE_STOPPING;

  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private FakeAgent agent;

  @BeforeEach
  void startAgent() throws Exception {
    agent = FakeAgent.start(0, 200);
  }

  @AfterEach
  void closeAgent() throws InterruptedException {
    agent.close();
  }

  @Test
  void runsReportsMetricsAndOverloadThenStopsOnRelease() throws Exception {
    int port = FreePorts.find();
    ContainerProcess container = attached(agent, "c-hello", dir, processes);

    agent.assign(
        "c-hello",
        assignment("hello", "hello-1", HelloService.class, port).toBuilder()
            .putSystemProperties(HelloService.P99_THRESHOLD_MS, "0")
            .build());

    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(agent.states("c-hello"))
                    .as(container.describe())
                    .containsExactly(LOADING, RUNNING));
    assertThat(Http.get(port, "/")).isEqualTo("hello from hello-1\n");
    assertThat(Http.get(port, "/healthz")).isEqualTo("ok\n");

    // requests.count reaches the agent, and rises with more requests.
    await().atMost(Duration.ofSeconds(10)).until(() -> requestCount() >= 1);
    for (int i = 0; i < 5; i++) {
      Http.get(port, "/");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> requestCount() >= 6);
    ContainerMetrics latest = last(agent.metrics("c-hello"));
    assertThat(latest.getServiceMetricsMap())
        .containsKeys("requests.p50", "requests.p99", "requests.mean", "requests.rate1m");
    assertThat(latest.getHeapUsedBytes()).isPositive();

    // With a p99 threshold of 0 ms, the first check reports overload.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(agent.overloads("c-hello"))
                    .first()
                    .satisfies(
                        o -> {
                          assertThat(o.getInstanceId()).isEqualTo("hello-1");
                          assertThat(o.getReason())
                              .startsWith("p99 of requests over the last minute");
                        }));

    agent.release("c-hello", 5000);
    assertThat(container.awaitExit(Duration.ofSeconds(5 + 3)))
        .as(container.describe())
        .isEqualTo(0);
    assertThat(agent.states("c-hello")).containsExactly(LOADING, RUNNING, STOPPING);
    assertThat(container.logText()).contains("hello hello-1 stopped", "exiting with code 0");
    assertThat(Http.accepts(port)).isFalse();
  }

  @Test
  void sigtermStopsTheServiceGracefully() throws Exception {
    int port = FreePorts.find();
    ContainerProcess container = attached(agent, "c-term", dir, processes);
    agent.assign("c-term", assignment("hello", "hello-2", HelloService.class, port));
    await().atMost(START).until(() -> agent.states("c-term").contains(RUNNING));
    assertThat(Http.get(port, "/")).isEqualTo("hello from hello-2\n");

    container.process().destroy(); // SIGTERM

    await().atMost(Duration.ofSeconds(10)).until(() -> !Http.accepts(port));
    assertThat(container.awaitExit(Duration.ofSeconds(10))).as(container.describe()).isEqualTo(0);
    assertThat(container.logText())
        .contains("stopping (SIGTERM, was RUNNING)")
        .contains("hello hello-2 stopped")
        .contains("service stopped in");
    assertThat(agent.states("c-term")).containsExactly(LOADING, RUNNING, STOPPING);
  }

  private double requestCount() {
    List<ContainerMetrics> samples = agent.metrics("c-hello");
    return samples.isEmpty() ? 0 : last(samples).getServiceMetricsOrDefault("requests.count", 0);
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
