package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProcessProbeTest {
  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();

  @Test
  void aProcessIsKnownByItsPidStartTimeAndArguments() throws Exception {
    Process sleep = processes.register(new ProcessBuilder("sleep", "30").start());
    ProcessHandle handle = sleep.toHandle();
    long startMs = ProcessProbe.startInstant(handle).orElseThrow().toEpochMilli();
    String hash = ProcessProbe.argumentsSha256(List.of("30"));

    assertThat(ProcessProbe.argumentsSha256(handle)).contains(hash);
    assertThat(ProcessProbe.sameProcess(sleep.pid(), startMs, hash)).contains(handle);
    assertThat(ProcessProbe.sameProcess(sleep.pid(), startMs - 60_000, hash))
        .as("another start time: the pid was reused")
        .isEmpty();
    assertThat(
            ProcessProbe.sameProcess(
                sleep.pid(), startMs, ProcessProbe.argumentsSha256(List.of("31"))))
        .as("other arguments: another program on a reused pid")
        .isEmpty();

    sleep.destroyForcibly().waitFor();
    assertThat(ProcessProbe.sameProcess(sleep.pid(), startMs, hash)).isEmpty();
  }

  @Test
  void aZombieHasEndedAndItsExitCodeCanBeRead() throws Exception {
    // The shell forks a child that exits 7, then becomes a sleep that never reaps it. The child
    // waits a second first: one that ended while the shell still ran could be reaped by it.
    Process parent =
        processes.register(
            new ProcessBuilder("sh", "-c", "(sleep 1; exit 7) & echo $!; exec sleep 30").start());
    long child;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII))) {
      child = Long.parseLong(out.readLine().strip());
    }
    ProcessHandle zombie = ProcessHandle.of(child).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> ProcessProbe.zombieExitCode(child).isPresent());
    assertThat(zombie.isAlive()).as("the JDK counts a zombie as alive").isTrue();
    assertThat(ProcessProbe.isRunning(zombie)).isFalse();
    assertThat(ProcessProbe.zombieExitCode(child)).hasValue(7);
    assertThat(ProcessProbe.zombieExitCode(parent.pid())).as("a running process").isEmpty();
  }
}
