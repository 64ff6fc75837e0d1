package io.drover.examples.hello;

import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The packaged examples jar, and containers to load it into. */
final class ExampleContainers {
  static final Duration START = Duration.ofSeconds(30);

  private ExampleContainers() {}

  /** target/drover-examples.jar, as the build packaged it. */
  static Path examplesJar() {
    Path jar = Path.of(System.getProperty("drover.examples.jar", "target/drover-examples.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: these tests run after package");
    }
    return jar;
  }

  static ServiceAssignment assignment(String service, String instance, Class<?> entry, int port) {
    return ServiceAssignment.newBuilder()
        .setService(service)
        .setInstanceId(instance)
        .addPorts(PortBinding.newBuilder().setName("http").setPort(port))
        .setEntry(entry.getName())
        .setLocalPath(examplesJar().toAbsolutePath().toString())
        .setGracePeriodMs(5000)
        .setStartTimeoutMs(20_000)
        .build();
  }

  /** A container attached to {@code agent}, warm-up off (functional tests only). */
  static ContainerProcess attached(
      FakeAgent agent, String id, Path dir, ProcessCleanupExtension processes) throws IOException {
    agent.expect(id, "secret-of-" + id);
    ContainerProcess container =
        ContainerProcess.builder(id, agent.port(), dir)
            .env("DROVER_WARMUP", "false")
            .start(processes);
    await().atMost(START).until(() -> agent.attached(id));
    return container;
  }
}
