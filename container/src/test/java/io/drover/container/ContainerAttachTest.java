package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.AttachRequest;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerState;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real container JVMs attaching to a fake agent. */
class ContainerAttachTest {
  static final Duration START = Duration.ofSeconds(30);

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
  void attachesIdleAndIsAccepted() throws Exception {
    agent = FakeAgent.start(0).expect("c-attach", "secret-of-c-attach");
    ContainerProcess container =
        ContainerProcess.builder("c-attach", agent.port(), dir).start(processes);

    await().atMost(START).until(() -> agent.attached("c-attach"));
    AttachRequest attach = agent.attaches("c-attach").get(0);
    assertThat(attach.getContainerId()).isEqualTo("c-attach");
    assertThat(attach.getSecret()).isEqualTo("secret-of-c-attach");
    assertThat(attach.getPid()).isEqualTo(container.pid());
    assertThat(attach.getState()).isEqualTo(ContainerState.CONTAINER_STATE_IDLE);
    assertThat(attach.getInstanceId()).isEmpty();

    // Metrics at the interval the agent asked for, with the heap; the agent measures the rest.
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics("c-attach").size() >= 2);
    ContainerMetrics metrics = agent.metrics("c-attach").get(0);
    assertThat(metrics.getContainerId()).isEqualTo("c-attach");
    assertThat(metrics.getHeapUsedBytes()).isPositive();
    assertThat(metrics.getHeapMaxBytes()).isGreaterThanOrEqualTo(metrics.getHeapUsedBytes());
    assertThat(metrics.getCpuPercent()).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(container.logText()).contains("warm-up done in"));
    assertThat(container.logText()).contains("attached to the agent at 127.0.0.1:" + agent.port());
    assertThat(container.process().isAlive()).isTrue();
  }

  @Test
  void attachesOverAUnixSocketAndAgainWhenTheAgentReturnsOnIt() throws Exception {
    Path socket = dir.resolve("link.sock");
    agent = FakeAgent.startUnix(socket).expect("c-unix", "secret-of-c-unix");
    ContainerProcess container =
        ContainerProcess.builder("c-unix", 0, dir)
            .agentLink("unix:" + socket)
            .env("DROVER_WARMUP", "false")
            .start(processes);
    await().atMost(START).until(() -> agent.attached("c-unix"));
    assertThat(agent.attaches("c-unix").get(0).getPid()).isEqualTo(container.pid());

    // The agent restarts: a new server on the same path, as the agent's data dir keeps it.
    agent.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(container.logText()).contains("lost the agent"));
    agent = FakeAgent.startUnix(socket).expect("c-unix", "secret-of-c-unix");
    await().atMost(Duration.ofSeconds(15)).until(() -> agent.attached("c-unix"));
    assertThat(agent.attaches("c-unix").get(0).getState())
        .isEqualTo(ContainerState.CONTAINER_STATE_IDLE);
    assertThat(container.logText()).contains("attached to the agent at unix:" + socket);
    assertThat(container.process().isAlive()).isTrue();
  }

  @Test
  void aWrongSecretEndsTheContainerWithCode2() throws Exception {
    agent = FakeAgent.start(0).expect("c-secret", "the-right-one");
    ContainerProcess container =
        ContainerProcess.builder("c-secret", agent.port(), dir)
            .secret("a-wrong-one")
            .env("DROVER_WARMUP", "false")
            .start(processes);

    assertThat(container.awaitExit(START)).as(container.describe()).isEqualTo(Exit.UNAUTHENTICATED);
    assertThat(agent.refusals())
        .extracting(Status::getCode)
        .containsExactly(Status.Code.UNAUTHENTICATED);
    assertThat(container.logText())
        .contains("refused the attach of container c-secret (UNAUTHENTICATED")
        .contains("check DROVER_CONTAINER_ID and DROVER_CONTAINER_SECRET")
        .contains("exiting with code 2");
  }

  @Test
  void anIdleContainerThatCannotAttachExitsAfterTheAttachTimeout() throws Exception {
    int nobody = FreePorts.find();
    ContainerProcess container =
        ContainerProcess.builder("c-orphan", nobody, dir)
            .env("DROVER_ATTACH_TIMEOUT", "1s")
            .env("DROVER_WARMUP", "false")
            .start(processes);

    assertThat(container.awaitExit(START)).as(container.describe()).isEqualTo(Exit.ATTACH_TIMEOUT);
    assertThat(container.logText())
        .contains("cannot attach to the agent at 127.0.0.1:" + nobody)
        .contains("no agent accepted this IDLE container")
        .contains("exiting with code 4");
  }
}
