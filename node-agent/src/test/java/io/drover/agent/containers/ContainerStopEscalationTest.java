package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor stops a container with SIGTERM, then SIGKILL once the grace period is over. The
 * containers are real processes: a shell script stands in for the java binary, so no JVM starts.
 */
class ContainerStopEscalationTest {
  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private ScriptedSupervisor scripted;
  private ContainerSupervisor supervisor;

  @AfterEach
  void close() {
    if (scripted != null) {
      scripted.close();
    }
  }

  @Test
  void aContainerThatIgnoresSigtermIsKilledAfterTheGracePeriodAndNotBefore() throws Exception {
    ProcessHandle container = start("trap '' TERM");
    Duration grace = Duration.ofMillis(2500);

    CompletableFuture<Long> diedAt = container.onExit().thenApply(p -> System.nanoTime());
    CommandResult stopped = stop(grace);
    long signalled = System.nanoTime(); // SIGTERM went out before stop's answer

    assertThat(stopped.getOk()).isTrue();
    long lived = diedAt.get(grace.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS) - signalled;
    assertThat(Duration.ofNanos(lived)).isGreaterThanOrEqualTo(grace);
    assertThat(exitCode()).as("128 + SIGKILL").isEqualTo(128 + 9);
  }

  @Test
  void aContainerThatHeedsSigtermEndsWithItLongBeforeTheGracePeriod() throws Exception {
    ProcessHandle container = start("");
    Duration grace = Duration.ofSeconds(60);

    long signalled = System.nanoTime();
    assertThat(stop(grace).getOk()).isTrue();

    container.onExit().get(10, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(grace);
    assertThat(exitCode()).as("128 + SIGTERM").isEqualTo(128 + 15);
  }

  /**
   * Starts one container whose "java" is a script that runs {@code setup}, says it is ready and
   * then sleeps (exec keeps the pid and an ignored signal stays ignored).
   */
  private ProcessHandle start(String setup) throws Exception {
    scripted =
        new ScriptedSupervisor(dir, setup + "\necho started > started\nexec sleep 600", 1 << 20);
    supervisor = scripted.supervisor;
    ContainerReport report = scripted.startOne();
    ProcessHandle process = ProcessHandle.of(report.getPid()).orElseThrow();
    processes.register(process);
    // Signals sent before the script set its trap would prove nothing.
    Path ready = scripted.containerDir(report.getContainerId()).resolve("started");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
    return process;
  }

  private CommandResult stop(Duration grace) throws Exception {
    String id = supervisor.reports().get(0).getContainerId();
    return supervisor.stop(id, (int) grace.toMillis(), "stop").get(10, TimeUnit.SECONDS);
  }

  /** The exit code the supervisor reported for the container once it ended. */
  private int exitCode() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                scripted.reports.stream()
                    .anyMatch(r -> r.getState() == ContainerState.CONTAINER_STATE_EXITED));
    return scripted.reports.stream()
        .filter(r -> r.getState() == ContainerState.CONTAINER_STATE_EXITED)
        .findFirst()
        .orElseThrow()
        .getExitCode();
  }
}
