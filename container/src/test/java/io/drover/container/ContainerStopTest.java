package io.drover.container;

import static io.drover.container.ContainerLifecycleTest.START;
import static io.drover.container.ContainerLifecycleTest.assignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.container.testing.TestJars;
import io.drover.container.testservices.StubbornService;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerState;
import io.drover.v1.ContainerStateChange;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Services that do not start or stop in time, in real container JVMs. */
class ContainerStopTest {
  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private FakeAgent agent;
  private Path jar;

  @BeforeEach
  void setUp() throws Exception {
    agent = FakeAgent.start(0);
    jar = TestJars.of(dir.resolve("stubborn.jar"), StubbornService.class);
  }

  @AfterEach
  void closeAgent() throws InterruptedException {
    agent.close();
  }

  private ContainerProcess attached(String id) throws Exception {
    agent.expect(id, "secret-of-" + id);
    ContainerProcess container =
        ContainerProcess.builder(id, agent.port(), dir)
            .env("DROVER_WARMUP", "false")
            .start(processes);
    await().atMost(START).until(() -> agent.attached(id));
    return container;
  }

  @Test
  void aServiceNotReadyWithinTheStartTimeoutFails() throws Exception {
    ContainerProcess container = attached("c-slow");
    agent.assign(
        "c-slow",
        assignment("slow-1", StubbornService.class, jar, FreePorts.find()).toBuilder()
            .putEnv("READY", "never")
            .setStartTimeoutMs(500)
            .build());

    assertThat(container.awaitExit(START)).as(container.describe()).isEqualTo(Exit.SERVICE_FAILED);
    assertThat(agent.stateChanges("c-slow"))
        .extracting(ContainerStateChange::getState)
        .containsExactly(
            ContainerState.CONTAINER_STATE_LOADING, ContainerState.CONTAINER_STATE_FAILED);
    assertThat(agent.stateChanges("c-slow").get(1).getReason())
        .isEqualTo(
            "java.util.concurrent.TimeoutException: the service was not ready within 500 ms");
  }

  @Test
  void aStopThatOutlastsTheGracePeriodIsHalted() throws Exception {
    ContainerProcess container = attached("c-stuck");
    agent.assign("c-stuck", assignment("stuck-1", StubbornService.class, jar, FreePorts.find()));
    await()
        .atMost(START)
        .until(() -> agent.states("c-stuck").contains(ContainerState.CONTAINER_STATE_RUNNING));

    long released = System.nanoTime();
    agent.release("c-stuck", 500);

    assertThat(container.awaitExit(Duration.ofSeconds(10)))
        .as(container.describe())
        .isEqualTo(Exit.STOP_TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(5));
    assertThat(container.logText())
        .contains("stubborn refuses to stop")
        .contains("did not stop within its grace period of 500 ms; halting with code 5");
  }

  @Test
  void aSecondSigtermHalts() throws Exception {
    ContainerProcess container = attached("c-term2");
    // Grace period 5 s: the second signal must not wait for it.
    agent.assign("c-term2", assignment("term-1", StubbornService.class, jar, FreePorts.find()));
    await()
        .atMost(START)
        .until(() -> agent.states("c-term2").contains(ContainerState.CONTAINER_STATE_RUNNING));

    container.process().destroy();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(container.logText()).contains("stubborn refuses to stop"));
    long second = System.nanoTime();
    container.process().destroy();

    assertThat(container.awaitExit(Duration.ofSeconds(10)))
        .as(container.describe())
        .isEqualTo(128 + 15);
    assertThat(Duration.ofNanos(System.nanoTime() - second)).isLessThan(Duration.ofSeconds(3));
    assertThat(container.logText())
        .contains("stopping (SIGTERM, was RUNNING), grace period 5000 ms");
  }
}
