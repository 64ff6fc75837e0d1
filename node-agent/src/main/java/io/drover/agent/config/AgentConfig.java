package io.drover.agent.config;

import io.drover.common.config.ConfigException;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The agent's settings, checked as a whole. Built once at start; a bad setting stops the agent
 * before it does anything.
 *
 * @param advertiseAddress empty to let the controller use the stream's peer address
 * @param stopWorkloadsAfterDisconnect how long the controller may be unreachable before the agent
 *     stops every instance; zero for never
 */
public record AgentConfig(
    HostPort controller,
    Path dataDir,
    String name,
    PortRange ports,
    HostPort httpListen,
    Optional<String> advertiseAddress,
    Duration reconnectInitialBackoff,
    Duration reconnectMaxBackoff,
    Duration stopWorkloadsAfterDisconnect,
    Containers containers) {

  /** Settings with the defaults of those not named: instances never stop for a lost controller. */
  public AgentConfig(
      HostPort controller,
      Path dataDir,
      String name,
      PortRange ports,
      HostPort httpListen,
      Optional<String> advertiseAddress,
      Duration reconnectInitialBackoff,
      Duration reconnectMaxBackoff,
      Containers containers) {
    this(
        controller,
        dataDir,
        name,
        ports,
        httpListen,
        advertiseAddress,
        reconnectInitialBackoff,
        reconnectMaxBackoff,
        Duration.ZERO,
        containers);
  }

  /** The same settings, stopping every instance after the controller was unreachable this long. */
  public AgentConfig withStopWorkloadsAfterDisconnect(Duration after) {
    return new AgentConfig(
        controller,
        dataDir,
        name,
        ports,
        httpListen,
        advertiseAddress,
        reconnectInitialBackoff,
        reconnectMaxBackoff,
        after,
        containers);
  }

  /**
   * How the agent starts container JVMs.
   *
   * @param linkListen a TCP address for the containers' links; empty for the default, a Unix socket
   *     in the data dir
   * @param java the java binary for profiles that name none
   * @param classpath the container runtime's classpath
   */
  public record Containers(
      Optional<HostPort> linkListen,
      String java,
      String classpath,
      int maxStarting,
      long logMaxBytes) {

    /** The agent's own java and classpath, which carry the container runtime. */
    public static Containers defaults() {
      return new Containers(
          Optional.empty(),
          ownJava(),
          ownClasspath(),
          AgentSettings.CONTAINERS_MAX_STARTING.defaultValue(),
          AgentSettings.CONTAINERS_LOG_MAX_BYTES.defaultValue());
    }

    /**
     * The agent's classpath with every entry made absolute: containers run in their own
     * directories, where a relative entry would name nothing.
     */
    static String ownClasspath() {
      return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
          .filter(entry -> !entry.isEmpty())
          .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
          .collect(Collectors.joining(File.pathSeparator));
    }

    static String ownJava() {
      return ProcessHandle.current()
          .info()
          .command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
  }

  /**
   * Reads the settings and checks the rules that span keys or the machine.
   *
   * @param hostname the default node name
   * @param localPortRange the kernel's ephemeral range, if known
   */
  public static AgentConfig from(Settings s, String hostname, Optional<PortRange> localPortRange) {
    List<String> problems = new ArrayList<>();
    PortRange ports = s.get(AgentSettings.PORTS);
    localPortRange
        .filter(ports::overlaps)
        .ifPresent(
            kernel ->
                problems.add(
                    s.origin(AgentSettings.PORTS)
                        + ": ports: "
                        + ports
                        + " overlaps the kernel's ephemeral port range "
                        + kernel
                        + " (net.ipv4.ip_local_port_range); outgoing connections could take"
                        + " an instance's port. Choose a range outside it, or narrow the"
                        + " kernel's range with sysctl."));
    Duration initial = s.get(AgentSettings.RECONNECT_INITIAL_BACKOFF);
    Duration max = s.get(AgentSettings.RECONNECT_MAX_BACKOFF);
    if (initial.compareTo(max) > 0) {
      problems.add(
          s.origin(AgentSettings.RECONNECT_INITIAL_BACKOFF)
              + ": reconnect.initialBackoff must not exceed reconnect.maxBackoff");
    }
    String name = s.find(AgentSettings.NAME).orElse(hostname);
    if (name.isBlank() || name.length() > 63 || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      problems.add(
          s.origin(AgentSettings.NAME)
              + ": name: '"
              + name
              + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AgentConfig(
        s.get(AgentSettings.CONTROLLER),
        s.get(AgentSettings.DATA_DIR),
        name,
        ports,
        s.get(AgentSettings.HTTP_LISTEN),
        s.find(AgentSettings.ADVERTISE_ADDRESS),
        initial,
        max,
        s.get(AgentSettings.STOP_WORKLOADS_AFTER_DISCONNECT),
        new Containers(
            s.find(AgentSettings.CONTAINER_LINK_LISTEN),
            s.find(AgentSettings.CONTAINERS_JAVA).orElseGet(Containers::ownJava),
            s.find(AgentSettings.CONTAINERS_CLASSPATH).orElseGet(Containers::ownClasspath),
            s.get(AgentSettings.CONTAINERS_MAX_STARTING),
            s.get(AgentSettings.CONTAINERS_LOG_MAX_BYTES)));
  }
}
