package io.drover.agent.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.drover.agent.testing.MeasuredProcess;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/**
 * The per-container metrics the agent measures with OSHI, against a real child JVM that opens
 * files, starts threads, allocates memory and burns CPU when told to: each figure must move by what
 * the process did and agree with what /proc says.
 */
class ContainerSamplerTest {
  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private final ContainerSampler sampler = new ContainerSampler(new SystemInfo());
  private Process child;
  private Writer commands;
  private BufferedReader answers;

  @AfterEach
  void stop() throws IOException {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  @Test
  void threadsOpenFilesRssAndCpuOfARealProcess() throws Exception {
    ContainerReport container = start();

    ContainerMetrics before = sample(container);
    assertThat(before.getContainerId()).isEqualTo("c1");
    assertThat(before.getCpuPercent()).as("no earlier sample to compare with").isZero();
    // A JVM may start or end a helper thread, or open a file, between the two readings.
    assertThat(before.getThreads()).isCloseTo(procThreads(), within(2));
    assertThat(before.getOpenFiles()).isCloseTo(procOpenFiles(), within(2));
    assertThat((double) before.getRssBytes()).isCloseTo(procRssBytes(), within(8e6));

    Path file = Files.writeString(dir.resolve("held.txt"), "held");
    command("files 40 " + file);
    command("threads 30");
    command("memory 64");
    long wallFrom = System.nanoTime();
    ContainerMetrics after = sample(container);
    Duration cpuFrom = cpuTime();
    assertThat(after.getOpenFiles() - before.getOpenFiles()).isBetween(40, 42);
    assertThat(after.getThreads() - before.getThreads()).isBetween(29, 33);
    assertThat(after.getRssBytes() - before.getRssBytes()).isGreaterThan(60L << 20);
    assertThat((double) after.getRssBytes()).isCloseTo(procRssBytes(), within(8e6));

    // CPU is a difference of ticks between two samples: spin between them.
    command("spin");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cpuTime().minus(cpuFrom).compareTo(Duration.ofMillis(500)) >= 0);
    Duration burnt = cpuTime().minus(cpuFrom);
    ContainerMetrics busy = sample(container);
    double wallSeconds = (System.nanoTime() - wallFrom) / 1e9;
    // The sampler's window lies inside [wallFrom, now] and holds at least what was burnt: its
    // figure is at least burnt / wall, less a clock tick or two of rounding.
    double lowerBound = 100 * (burnt.toNanos() / 1e9) / wallSeconds;
    assertThat(busy.getCpuPercent())
        .isGreaterThan(0.9 * lowerBound - 4)
        .isLessThanOrEqualTo(100.0 * Runtime.getRuntime().availableProcessors() + 5);
  }

  @Test
  void whatTheContainerReportedIsKeptAndAGonePidGivesNoProcessFigures() throws Exception {
    ContainerReport container = start();
    ContainerMetrics reported =
        ContainerMetrics.newBuilder()
            .setHeapUsedBytes(123)
            .setHeapMaxBytes(456)
            .putServiceMetrics("requests.p99", 0.25)
            .build();
    ContainerReport gone = ContainerReport.newBuilder().setContainerId("c2").setPid(0).build();

    List<ContainerMetrics> samples =
        sampler.sample(List.of(container, gone), Map.of("c1", reported, "c2", reported));

    assertThat(samples.get(0).getHeapUsedBytes()).isEqualTo(123);
    assertThat(samples.get(0).getServiceMetricsMap()).containsEntry("requests.p99", 0.25);
    assertThat(samples.get(0).getThreads()).isPositive();
    assertThat(samples.get(1).getContainerId()).isEqualTo("c2");
    assertThat(samples.get(1).getHeapMaxBytes()).isEqualTo(456);
    assertThat(samples.get(1).getThreads()).isZero();
    assertThat(samples.get(1).getRssBytes()).isZero();
    assertThat(samples.get(1).getOpenFiles()).isZero();
  }

  private ContainerReport start() throws Exception {
    Path classes =
        Path.of(MeasuredProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    child =
        processes.register(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    classes.toString(),
                    MeasuredProcess.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
    commands = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
    answers =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(answers.readLine()).isEqualTo("ok");
    return ContainerReport.newBuilder().setContainerId("c1").setPid(child.pid()).build();
  }

  private void command(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
    assertThat(answers.readLine()).as(line).isEqualTo("ok");
  }

  private ContainerMetrics sample(ContainerReport container) {
    return sampler.sample(List.of(container), Map.of()).get(0);
  }

  private Duration cpuTime() {
    return child.toHandle().info().totalCpuDuration().orElseThrow();
  }

  private int procThreads() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(child.pid()), "task"))) {
      return (int) tasks.count();
    }
  }

  private int procOpenFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(child.pid()), "fd"))) {
      return (int) fds.count();
    }
  }

  private double procRssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(child.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024.0;
      }
    }
    throw new AssertionError("no VmRSS");
  }
}
