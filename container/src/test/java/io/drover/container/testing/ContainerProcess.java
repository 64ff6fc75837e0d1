package io.drover.container.testing;

import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real container JVM for tests: {@code java -cp <the test's class path>
 * io.drover.container.ContainerMain} with the environment an agent would give it. Registered with a
 * {@link ProcessCleanupExtension}, so it dies with the test.
 */
public final class ContainerProcess {
  /** Small and quick to start; two cores are shared with the build. */
  public static final List<String> JVM_FLAGS =
      List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

  private final String id;
  private final String secret;
  private final Process process;
  private final Path log;
  private final Path console;
  private final long startedAtNanos;

  private ContainerProcess(
      String id, String secret, Process process, Path log, Path console, long startedAtNanos) {
    this.id = id;
    this.secret = secret;
    this.process = process;
    this.log = log;
    this.console = console;
    this.startedAtNanos = startedAtNanos;
  }

  public static Builder builder(String id, int agentPort, Path dir) {
    return new Builder(id, agentPort, dir);
  }

  public String id() {
    return id;
  }

  public String secret() {
    return secret;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  /** System.nanoTime() just before the process was started. */
  public long startedAtNanos() {
    return startedAtNanos;
  }

  public Path log() {
    return log;
  }

  /** The container log, or "" while it does not exist. */
  public String logText() {
    return read(log);
  }

  /** What the JVM printed before the runtime redirected its output (JVM warnings, usage errors). */
  public String consoleText() {
    return read(console);
  }

  /** Waits for the exit and returns the code; -1 if still running after {@code timeout}. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** Log and console, for assertion messages. */
  public String describe() {
    return "container " + id + " log:\n" + logText() + "\nconsole:\n" + consoleText();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static final class Builder {
    private final String id;
    private final int agentPort;
    private final Path dir;
    private String secret;
    private String agentLink;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmFlags = new ArrayList<>(JVM_FLAGS);

    private Builder(String id, int agentPort, Path dir) {
      this.id = id;
      this.agentPort = agentPort;
      this.dir = dir;
      this.secret = "secret-of-" + id;
    }

    public Builder secret(String value) {
      secret = value;
      return this;
    }

    /** {@code DROVER_AGENT_LINK} other than the loopback port, e.g. {@code unix:/PATH}. */
    public Builder agentLink(String link) {
      this.agentLink = link;
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** A cold container: its port is in the environment and it does not warm up. */
    public Builder coldPort(int port) {
      env.put("DROVER_PORT", Integer.toString(port));
      env.put("PORT", Integer.toString(port));
      return this;
    }

    public Builder jvmFlag(String flag) {
      jvmFlags.add(flag);
      return this;
    }

    public ContainerProcess start(ProcessCleanupExtension cleanup) throws IOException {
      Files.createDirectories(dir);
      Path log = dir.resolve(id + ".log");
      Path console = dir.resolve(id + ".console");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmFlags);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("io.drover.container.ContainerMain");
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> environment = builder.environment();
      environment.keySet().removeIf(k -> k.startsWith("DROVER_") || k.equals("PORT"));
      environment.put("DROVER_CONTAINER_ID", id);
      environment.put("DROVER_CONTAINER_SECRET", secret);
      environment.put("DROVER_AGENT_LINK", "127.0.0.1:" + agentPort);
      if (agentLink != null) {
        environment.put("DROVER_AGENT_LINK", agentLink);
      }
      environment.put("DROVER_CONTAINER_LOG", log.toString());
      environment.putAll(env);
      builder.redirectErrorStream(true).redirectOutput(console.toFile());
      long started = System.nanoTime();
      Process process = cleanup.register(builder.start());
      return new ContainerProcess(id, secret, process, log, console, started);
    }
  }
}
