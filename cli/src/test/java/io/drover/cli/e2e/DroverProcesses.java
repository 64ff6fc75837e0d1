package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code drover-cli.jar} as real processes, as an operator would. */
final class DroverProcesses {
  private final Path jar;
  private final Path workDir;
  private final ProcessCleanupExtension cleanup;
  private int counter;

  DroverProcesses(Path workDir, ProcessCleanupExtension cleanup) {
    String configured = System.getProperty("drover.cli.jar");
    this.jar = Path.of(configured != null ? configured : "target/drover-cli.jar").toAbsolutePath();
    assertThat(jar).as("the packaged CLI (run through failsafe after package)").exists();
    this.workDir = workDir;
    this.cleanup = cleanup;
  }

  Path workDir() {
    return workDir;
  }

  /**
   * These tests are about scheduling, recovery and the CLI, not access control (the access tests
   * cover that), so every controller they start runs with it off.
   */
  /**
   * Set for every process: controllers and agents run plaintext on loopback with access control off
   * and artifacts without sha256, as dev mode does, unless a test passes {@code --tls-mode on},
   * {@code --auth-enabled true} or {@code --set artifacts.requireSha256=true} (a flag wins over the
   * environment). The security tests do; the others test other things.
   */
  static final java.util.Map<String, String> ENVIRONMENT =
      java.util.Map.of(
          "DROVER_TLS_MODE",
          "off",
          "DROVER_AUTH_ENABLED",
          "false",
          "DROVER_ARTIFACTS_REQUIRE_SHA256",
          "false");

  private static ProcessBuilder processBuilder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(ENVIRONMENT);
    return builder;
  }

  /** A long-running drover process (controller, agent, dev) whose output goes to a file. */
  Daemon start(String... args) {
    return startUnder(List.of(), args);
  }

  /**
   * A long-running drover process started through {@code prefix} (such as {@code ip netns exec
   * NAME}, which execs, so that the process is the JVM itself).
   */
  Daemon startUnder(List<String> prefix, String... args) {
    Path log = workDir.resolve("process-" + (++counter) + ".log");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(command(args));
    try {
      Process process =
          processBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      cleanup.register(process);
      return new Daemon(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a client verb to completion. */
  Result run(String... args) {
    Path out = workDir.resolve("run-" + (++counter) + ".out");
    Path err = workDir.resolve("run-" + counter + ".err");
    try {
      Process process =
          processBuilder(command(args))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      cleanup.register(process);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("drover " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The command line that runs {@code drover ARGS}, for a shell (such as tmux's) to start. */
  List<String> commandLine(String... args) {
    return command(args).stream().map(DroverProcesses::quoted).toList();
  }

  private static String quoted(String word) {
    return word.matches("[\\w@%+=:,./-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  record Result(int exitCode, String stdout, String stderr) {}

  record Daemon(Process process, Path log) {
    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }

    boolean waitForExit(Duration timeout) throws InterruptedException {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
