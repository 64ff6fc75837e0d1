package io.drover.cli.dev;

import io.drover.cli.DroverCommand;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A node agent started by dev mode as its own JVM, as in production, so that killing it is a real
 * test of what survives.
 */
public final class AgentProcess {
  /**
   * JVM flags for an agent: it runs no workload itself, so a small serial heap and the C1 compiler
   * keep its footprint near the idle-JVM floor.
   */
  public static final List<String> JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms16m",
          "-Xmx64m",
          "-XX:TieredStopAtLevel=1",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=32m",
          // jstat's counters once a second, not every 50 ms: fewer wake-ups of an idle agent.
          "-XX:PerfDataSamplingInterval=1000",
          "-Xshare:auto");

  private final String name;
  private final Path dataDir;
  private final Path log;
  private final PortRange ports;
  private final Process process;

  private AgentProcess(String name, Path dataDir, Path log, PortRange ports, Process process) {
    this.name = name;
    this.dataDir = dataDir;
    this.log = log;
    this.ports = ports;
    this.process = process;
  }

  public static AgentProcess start(
      String name, HostPort controller, Path dataDir, PortRange ports, HostPort httpListen)
      throws IOException {
    Files.createDirectories(dataDir);
    Path log = dataDir.resolve("agent.log");
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DroverCommand.class.getName());
    command.addAll(
        List.of(
            "agent",
            "--controller",
            controller.toString(),
            "--data-dir",
            dataDir.toString(),
            "--name",
            name,
            "--ports",
            ports.toString(),
            "--http-listen",
            httpListen.toString(),
            "--reconnect-max-backoff",
            "2s",
            // Dev mode runs on loopback without TLS; see drover dev's banner.
            "--tls-mode",
            "off",
            "--exit-with-parent",
            Long.toString(ProcessHandle.current().pid())));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new AgentProcess(name, dataDir, log, ports, process);
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return log;
  }

  public PortRange ports() {
    return ports;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** The last lines of the agent's log, to explain why it stopped. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
          .collect(Collectors.joining(System.lineSeparator()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Every process of this agent's tree, the agent last; taken before signalling anything. */
  public List<ProcessHandle> tree() {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    return all;
  }

  /** SIGTERM, then SIGKILL after {@code grace}. */
  public static void stopAll(List<ProcessHandle> processes, Duration grace) {
    processes.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : processes) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (Exception e) {
        // Still running after the grace period: killed below.
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
