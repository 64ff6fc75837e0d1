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
import io.drover.v1.ContainerState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** PlainHello, a plain main without the SDK, loaded by a real container JVM. */
class PlainHelloIT {
  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private FakeAgent agent;

  @AfterEach
  void closeAgent() throws InterruptedException {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void runsWithDroverPortAndStopsThroughItsShutdownHook() throws Exception {
    agent = FakeAgent.start(0);
    int port = FreePorts.find();
    ContainerProcess container = attached(agent, "c-plain", dir, processes);

    agent.assign("c-plain", assignment("plain-hello", "plain-1", PlainHello.class, port));

    // RUNNING once the port accepts connections.
    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(agent.states("c-plain"))
                    .as(container.describe())
                    .containsExactly(
                        ContainerState.CONTAINER_STATE_LOADING,
                        ContainerState.CONTAINER_STATE_RUNNING));
    assertThat(Http.get(port, "/")).isEqualTo("hello from plain-1\n");
    assertThat(container.logText()).contains("plain-hello plain-1 listening on port " + port);

    agent.release("c-plain", 5000);
    assertThat(container.awaitExit(Duration.ofSeconds(8))).as(container.describe()).isEqualTo(0);
    assertThat(Http.accepts(port)).isFalse();
  }
}
