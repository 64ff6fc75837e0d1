package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.container.testing.Http;
import io.drover.container.testing.TestJars;
import io.drover.container.testservices.EchoService;
import io.drover.container.testservices.IsolationProbeService;
import io.drover.container.testservices.ThrowingService;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.AttachRequest;
import io.drover.v1.ContainerState;
import io.drover.v1.ContainerStateChange;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real container JVMs loading test services from jars, driven by a fake agent. */
class ContainerLifecycleTest {
  static final Duration START = Duration.ofSeconds(30);
  static final ContainerState LOADING = ContainerState.CONTAINER_STATE_LOADING;
  static final ContainerState RUNNING = ContainerState.CONTAINER_STATE_RUNNING;
  static final ContainerState STOPPING = ContainerState.CONTAINER_STATE_STOPPING;
  static final ContainerState FAILED = ContainerState.CONTAINER_STATE_FAILED;

  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private FakeAgent agent;

  @AfterEach
  void closeAgent() throws InterruptedException {
    if (agent != null) {
      agent.close();
    }
  }

  private ContainerProcess attached(String id, String... env) throws Exception {
    if (agent == null) {
      agent = FakeAgent.start(0);
    }
    agent.expect(id, "secret-of-" + id);
    ContainerProcess.Builder builder =
        ContainerProcess.builder(id, agent.port(), dir).env("DROVER_WARMUP", "false");
    for (int i = 0; i < env.length; i += 2) {
      builder.env(env[i], env[i + 1]);
    }
    ContainerProcess container = builder.start(processes);
    await().atMost(START).until(() -> agent.attached(id));
    return container;
  }

  static ServiceAssignment assignment(String instance, Class<?> entry, Path jar, int port) {
    return assignment(instance, entry.getName(), jar, port);
  }

  static ServiceAssignment assignment(String instance, String entry, Path jar, int port) {
    return ServiceAssignment.newBuilder()
        .setService("test")
        .setInstanceId(instance)
        .addPorts(PortBinding.newBuilder().setName("http").setPort(port))
        .setEntry(entry)
        .setLocalPath(jar.toString())
        .setGracePeriodMs(5000)
        .setStartTimeoutMs(20_000)
        .build();
  }

  @Test
  void aMissingEntryClassFailsWithItsReasonAndExitCode3() throws Exception {
    Path jar = TestJars.of(dir.resolve("echo.jar"), EchoService.class);
    ContainerProcess container = attached("c-missing");

    agent.assign(
        "c-missing", assignment("missing-1", "com.example.Missing", jar, FreePorts.find()));

    assertThat(container.awaitExit(START)).as(container.describe()).isEqualTo(Exit.SERVICE_FAILED);
    List<ContainerStateChange> changes = agent.stateChanges("c-missing");
    assertThat(changes).extracting(ContainerStateChange::getState).containsExactly(LOADING, FAILED);
    assertThat(changes.get(1).getReason())
        .isEqualTo("java.lang.ClassNotFoundException: com.example.Missing");
    assertThat(container.logText()).contains("FAILED: java.lang.ClassNotFoundException");
  }

  @Test
  void aStartThatThrowsFailsWithItsReasonAndExitCode3() throws Exception {
    Path jar = TestJars.of(dir.resolve("throwing.jar"), ThrowingService.class);
    ContainerProcess container = attached("c-throws");

    agent.assign("c-throws", assignment("throws-1", ThrowingService.class, jar, FreePorts.find()));

    assertThat(container.awaitExit(START)).as(container.describe()).isEqualTo(Exit.SERVICE_FAILED);
    assertThat(agent.stateChanges("c-throws"))
        .extracting(ContainerStateChange::getState, ContainerStateChange::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LOADING, ""),
            org.assertj.core.groups.Tuple.tuple(
                FAILED, "java.lang.IllegalStateException: cannot reach the database at db:5432"));
  }

  @Test
  void aServiceSeesTheSdkButNotTheRuntimeLibraries() throws Exception {
    Path jar = TestJars.of(dir.resolve("probe.jar"), IsolationProbeService.class);
    ContainerProcess container = attached("c-isolated");

    agent.assign(
        "c-isolated", assignment("isolated-1", IsolationProbeService.class, jar, FreePorts.find()));

    await()
        .atMost(START)
        .untilAsserted(
            () ->
                assertThat(agent.states("c-isolated"))
                    .as(container.describe())
                    .containsExactly(LOADING, RUNNING));
    assertThat(container.logText())
        .contains("isolation: io.grpc.ManagedChannel hidden")
        .contains("isolation: com.google.protobuf.Message hidden")
        .contains("isolation: io.drover.container.ContainerMain hidden")
        .contains("isolation: io.drover.sdk.ServiceContext visible")
        .contains("isolation: com.codahale.metrics.Timer visible");
  }

  @Test
  void releaseStopsTheServiceAndExits0AndRepeatedAssignmentsAreIgnored() throws Exception {
    Path jar = TestJars.of(dir.resolve("echo.jar"), EchoService.class);
    int port = FreePorts.find();
    ContainerProcess container = attached("c-release");
    ServiceAssignment echo = assignment("echo-1", EchoService.class, jar, port);

    agent.assign("c-release", echo);
    await().atMost(START).until(() -> agent.states("c-release").contains(RUNNING));
    assertThat(Http.get(port, "/")).isEqualTo("echo from echo-1\n");

    // The agent replays an assignment after it reconnects: nothing happens.
    agent.assign("c-release", echo);
    // Another instance while RUNNING: refused with a log line.
    agent.assign("c-release", assignment("echo-2", EchoService.class, jar, FreePorts.find()));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(container.logText())
                    .contains("ignoring the assignment of test (instance echo-2)"));

    agent.release("c-release", 3000);
    assertThat(container.awaitExit(Duration.ofSeconds(3 + 5)))
        .as(container.describe())
        .isEqualTo(Exit.OK);
    assertThat(agent.states("c-release")).containsExactly(LOADING, RUNNING, STOPPING);
    assertThat(agent.stateChanges("c-release").get(2).getReason())
        .isEqualTo("released by the agent");
    assertThat(container.logText())
        .doesNotContain("instance echo-1) replayed") // logged at FINE only
        .contains("echo stopped")
        .contains("service stopped in")
        .contains("exiting with code 0");
    assertThat(Http.accepts(port)).isFalse();
  }

  @Test
  void keepsServingWhenTheAgentGoesAwayAndReattachesRunning() throws Exception {
    Path jar = TestJars.of(dir.resolve("echo.jar"), EchoService.class);
    int port = FreePorts.find();
    // An attach timeout that a RUNNING container must ignore.
    ContainerProcess container = attached("c-reattach", "DROVER_ATTACH_TIMEOUT", "1s");
    int agentPort = agent.port();
    agent.assign(
        "c-reattach",
        assignment("echo-7", EchoService.class, jar, port).toBuilder()
            .putEnv("GREETING", "hi")
            .build());
    await().atMost(START).until(() -> agent.states("c-reattach").contains(RUNNING));
    assertThat(Http.get(port, "/env?GREETING")).isEqualTo("hi\n");

    agent.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(container.logText()).contains("lost the agent"));
    // Reports made while the agent is away are kept and sent after the next attach.
    assertThat(Http.get(port, "/overload")).isEqualTo("reported\n");
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> Http.get(port, "/"), "echo from echo-7\n"::equals);
    assertThat(container.process().isAlive()).isTrue();

    agent = FakeAgent.start(agentPort).expect("c-reattach", "secret-of-c-reattach");
    await().atMost(Duration.ofSeconds(15)).until(() -> agent.attached("c-reattach"));
    AttachRequest again = agent.attaches("c-reattach").get(0);
    assertThat(again.getState()).isEqualTo(RUNNING);
    assertThat(again.getInstanceId()).isEqualTo("echo-7");
    assertThat(again.getPid()).isEqualTo(container.pid());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(agent.overloads("c-reattach"))
                    .singleElement()
                    .satisfies(
                        o -> {
                          assertThat(o.getInstanceId()).isEqualTo("echo-7");
                          assertThat(o.getContainerId()).isEqualTo("c-reattach");
                          assertThat(o.getReason()).startsWith("asked to by");
                          assertThat(o.getReportedAtMs()).isPositive();
                        }));
    assertThat(Http.get(port, "/error")).isEqualTo("reported\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(agent.errors("c-reattach"))
                    .extracting(e -> e.getError())
                    .containsExactly("java.lang.IllegalStateException: asked to"));
    assertThat(Http.get(port, "/")).isEqualTo("echo from echo-7\n");
  }
}
