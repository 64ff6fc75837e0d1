package io.drover.agent.containers;

import io.drover.v1.JvmProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Starts container JVMs. Each runs in its own session and process group (through {@code setsid}),
 * so that neither a signal to the agent's group nor the agent's death reaches it, reads {@code
 * /dev/null} and writes its output to files, never to a pipe that would break with the agent.
 */
public final class ContainerLauncher {
  static final String MAIN_CLASS = "io.drover.container.ContainerMain";

  /** The file, in the container's directory, its service's output goes to (rotated by size). */
  public static final String SERVICE_LOG = "service.log";

  /**
   * The file, in the container's directory, the JVM's real stdout and stderr go to: what bypasses
   * the service log (output before the runtime takes over, crash reports, {@code -Xlog} to stdout,
   * native code, child processes). The agent rotates it by size ({@link CopyTruncateRotation}).
   */
  public static final String JVM_OUTPUT = "jvm.out";

  /** How many files of a container's {@link #JVM_OUTPUT} are kept, the current one included. */
  public static final int JVM_OUTPUT_FILES = 3;

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final String defaultJava;
  private final String classpath;
  private final Supplier<String> agentLink;
  private final long logMaxBytes;
  private final String controller;

  /**
   * @param classpath the container runtime's classpath
   * @param agentLink the agent's ContainerLink address ({@code unix:/PATH} or {@code HOST:PORT}),
   *     once it listens
   */
  public ContainerLauncher(
      String defaultJava, String classpath, Supplier<String> agentLink, long logMaxBytes) {
    this(defaultJava, classpath, agentLink, logMaxBytes, "");
  }

  /**
   * @param controller {@code HOST:PORT} of the controller, given to containers as {@code
   *     DROVER_CONTROLLER} so that services can watch other services' endpoints; empty for none
   */
  public ContainerLauncher(
      String defaultJava,
      String classpath,
      Supplier<String> agentLink,
      long logMaxBytes,
      String controller) {
    this.controller = controller;
    this.defaultJava = defaultJava;
    this.classpath = classpath;
    this.agentLink = agentLink;
    this.logMaxBytes = logMaxBytes;
  }

  /** What one launch needs. */
  public record Launch(
      String containerId, String secret, JvmProfile profile, Path dir, OptionalInt coldPort) {}

  /**
   * A started JVM.
   *
   * @param argumentsSha256 the hash of its arguments (after the java binary), by which a later
   *     agent recognises the process (see {@link ProcessProbe})
   */
  public record Launched(Process process, String argumentsSha256) {}

  /** The size at which a container's logs rotate. */
  public long logMaxBytes() {
    return logMaxBytes;
  }

  public Launched launch(Launch launch) throws IOException {
    Files.createDirectories(launch.dir());
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    JvmProfile profile = launch.profile();
    command.add(profile.getJava().isEmpty() ? defaultJava : profile.getJava());
    int java = command.size() - 1;
    if (profile.getHeapMb() > 0) {
      command.add("-Xmx" + profile.getHeapMb() + "m");
    }
    command.addAll(profile.getFlagsList());
    command.add("-Ddrover.container=" + launch.containerId());
    command.add("-cp");
    command.add(classpath);
    command.add(MAIN_CLASS);
    ProcessBuilder builder = new ProcessBuilder(command).directory(launch.dir().toFile());
    Map<String, String> env = builder.environment();
    env.put("DROVER_CONTAINER_ID", launch.containerId());
    env.put("DROVER_CONTAINER_SECRET", launch.secret());
    env.put("DROVER_AGENT_LINK", agentLink.get());
    if (!controller.isEmpty()) {
      env.put("DROVER_CONTROLLER", controller);
    }
    env.put("DROVER_CONTAINER_LOG", launch.dir().resolve(SERVICE_LOG).toString());
    env.put("DROVER_CONTAINER_LOG_MAX_BYTES", Long.toString(logMaxBytes));
    launch
        .coldPort()
        .ifPresent(
            port -> {
              env.put("PORT", Integer.toString(port));
              env.put("DROVER_PORT", Integer.toString(port));
            });
    // The JVM's own output (crash reports, early errors) goes next to the service log. Appended
    // (O_APPEND), so that the agent can rotate it by copy and truncate without a hole.
    builder.redirectErrorStream(true);
    builder.redirectOutput(
        ProcessBuilder.Redirect.appendTo(launch.dir().resolve(JVM_OUTPUT).toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = builder.start();
    // setsid execs the JVM in its own process: the JVM's argv is the command after setsid.
    return new Launched(
        process, ProcessProbe.argumentsSha256(command.subList(java + 1, command.size())));
  }
}
