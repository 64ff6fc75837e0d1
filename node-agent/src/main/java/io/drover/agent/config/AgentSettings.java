package io.drover.agent.config;

import io.drover.common.config.ConfigKey;
import io.drover.common.metrics.MetricsSettings;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Every setting of the node agent. Each is also {@code --flag} and {@code DROVER_*}. */
public final class AgentSettings {
  public static final ConfigKey<HostPort> CONTROLLER =
      ConfigKey.hostPort(
          "controller", new HostPort("127.0.0.1", 7400), "gRPC address of the controller");
  public static final ConfigKey<Path> DATA_DIR =
      ConfigKey.path(
          "dataDir",
          Path.of("/var/lib/drover/agent"),
          "where the agent keeps its node id, state and container logs");
  public static final ConfigKey<String> NAME =
      ConfigKey.string("name", null, "name of this node; default: the hostname");
  public static final ConfigKey<PortRange> PORTS =
      ConfigKey.portRange(
          "ports",
          new PortRange(20000, 32000),
          "ports handed to instances on this node; must lie outside ip_local_port_range");
  public static final ConfigKey<HostPort> HTTP_LISTEN =
      ConfigKey.hostPort(
          "http.listen",
          new HostPort("0.0.0.0", 7481),
          "address of the agent's HTTP endpoint (/healthz); port 0 picks a free one");
  public static final ConfigKey<String> ADVERTISE_ADDRESS =
      ConfigKey.string(
          "advertiseAddress",
          null,
          "address callers use to reach instances on this node; default: as the controller sees it");
  public static final ConfigKey<Duration> RECONNECT_INITIAL_BACKOFF =
      ConfigKey.duration(
          "reconnect.initialBackoff",
          Duration.ofSeconds(1),
          Duration.ofMillis(50),
          Duration.ofMinutes(1),
          "first wait before reconnecting to the controller");
  public static final ConfigKey<Duration> RECONNECT_MAX_BACKOFF =
      ConfigKey.duration(
          "reconnect.maxBackoff",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          Duration.ofMinutes(10),
          "longest wait between reconnection attempts");
  public static final ConfigKey<Duration> STOP_WORKLOADS_AFTER_DISCONNECT =
      ConfigKey.durationOrNever(
          "stopWorkloadsAfterDisconnect",
          Duration.ofSeconds(1),
          Duration.ofDays(30),
          "stop every instance of this node once the controller has been unreachable this long"
              + " (safety over availability); empty or 0: never");

  public static final ConfigKey<HostPort> CONTAINER_LINK_LISTEN =
      ConfigKey.hostPort(
          "containerLink.listen",
          null,
          "TCP address containers attach to instead of the default, a Unix socket in the data"
              + " dir; port 0 picks a free one and keeps it for the next start");
  public static final ConfigKey<String> CONTAINERS_JAVA =
      ConfigKey.string(
          "containers.java",
          null,
          "java binary for containers whose profile names none; default: the agent's own");
  public static final ConfigKey<String> CONTAINERS_CLASSPATH =
      ConfigKey.string(
          "containers.classpath",
          null,
          "classpath of the container runtime; default: the agent's own classpath");
  public static final ConfigKey<Integer> CONTAINERS_MAX_STARTING =
      ConfigKey.integer(
          "containers.maxStarting", 2, 1, 64, "container JVMs starting at once, at most");
  public static final ConfigKey<Long> CONTAINERS_LOG_MAX_BYTES =
      ConfigKey.bytes(
          "containers.logMaxBytes",
          10L << 20,
          64L << 10,
          1L << 30,
          "size at which a container's service.log and jvm.out are rotated (3 files of each kept)");

  public static final ConfigKey<String> JOIN_TOKEN =
      ConfigKey.string(
          "joinToken",
          null,
          "token (drover token create) traded once for a node certificate when the data dir has"
              + " none; ignored once the node holds a certificate");
  public static final ConfigKey<String> CA_FINGERPRINT =
      ConfigKey.string(
          "caFingerprint",
          null,
          "SHA-256 (hex) of the cluster CA certificate, as drover tls init printed it; the agent"
              + " trusts the controller only if its CA has this fingerprint");
  public static final ConfigKey<String> TLS_MODE =
      ConfigKey.string(
          "tls.mode",
          "on",
          "on: connect with mutual TLS (certificate in DATADIR/tls, obtained with joinToken);"
              + " off: plaintext, for a controller on loopback in dev mode");
  public static final ConfigKey<String> TLS_SERVER_NAME =
      ConfigKey.string(
          "tls.serverName",
          null,
          "name the controller's certificate must carry, when the agent reaches the controller at"
              + " an address the certificate does not name (default: the host of controller)");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          CONTROLLER,
          DATA_DIR,
          NAME,
          PORTS,
          HTTP_LISTEN,
          ADVERTISE_ADDRESS,
          RECONNECT_INITIAL_BACKOFF,
          RECONNECT_MAX_BACKOFF,
          STOP_WORKLOADS_AFTER_DISCONNECT,
          CONTAINER_LINK_LISTEN,
          CONTAINERS_JAVA,
          CONTAINERS_CLASSPATH,
          CONTAINERS_MAX_STARTING,
          CONTAINERS_LOG_MAX_BYTES,
          JOIN_TOKEN,
          CA_FINGERPRINT,
          TLS_MODE,
          TLS_SERVER_NAME);

  /** Every setting the agent accepts: its own ({@link #ALL}) and the metrics reporters'. */
  public static final List<ConfigKey<?>> ALL_WITH_METRICS =
      java.util.stream.Stream.concat(ALL.stream(), MetricsSettings.ALL.stream()).toList();

  /** Where the agent looks for its YAML file when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("/etc/drover/agent.yaml");

  private AgentSettings() {}
}
