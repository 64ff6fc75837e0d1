package io.drover.controller.config;

import io.drover.common.config.ConfigKey;
import io.drover.common.metrics.MetricsSettings;
import io.drover.common.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Every setting of the controller. Each is also {@code --flag} and {@code DROVER_*}. */
public final class ControllerSettings {
  public static final ConfigKey<HostPort> LISTEN =
      ConfigKey.hostPort(
          "listen",
          new HostPort("0.0.0.0", 7400),
          "gRPC address for agents and clients (Control, AgentGateway, Artifacts, health,"
              + " reflection)");
  public static final ConfigKey<HostPort> HTTP_LISTEN =
      ConfigKey.hostPort("http.listen", new HostPort("0.0.0.0", 7480), "HTTP address for /healthz");
  public static final ConfigKey<Path> DATA_DIR =
      ConfigKey.path(
          "dataDir", Path.of("/var/lib/drover/controller"), "where the controller keeps its state");
  public static final ConfigKey<Duration> TELEMETRY_INTERVAL =
      ConfigKey.duration(
          "telemetryInterval",
          Duration.ofSeconds(1),
          Duration.ofMillis(100),
          Duration.ofMinutes(1),
          "how often agents send telemetry (it is also their heartbeat)");
  public static final ConfigKey<Duration> SUSPECT_AFTER =
      ConfigKey.duration(
          "suspectAfter",
          Duration.ofSeconds(2),
          Duration.ofMillis(100),
          Duration.ofHours(1),
          "a node heard nothing from for this long is SUSPECT and takes no new instances");
  public static final ConfigKey<Duration> LOST_AFTER =
      ConfigKey.duration(
          "lostAfter",
          Duration.ofSeconds(5),
          Duration.ofMillis(200),
          Duration.ofHours(2),
          "a node heard nothing from for this long is LOST: its instances are replaced elsewhere");
  public static final ConfigKey<Duration> STARTUP_GRACE =
      ConfigKey.duration(
          "startupGrace",
          Duration.ofSeconds(5),
          Duration.ZERO,
          Duration.ofMinutes(10),
          "after a restart, how long the controller waits for the nodes it knew to reconnect"
              + " before it places or stops anything");
  public static final ConfigKey<Long> MAX_MESSAGE_BYTES =
      ConfigKey.bytes(
          "maxMessageBytes",
          4L << 20,
          1L << 10,
          64L << 20,
          "largest message an agent may send; a larger one closes its stream with"
              + " INVALID_ARGUMENT");
  public static final ConfigKey<Integer> EVENTS_RETAINED =
      ConfigKey.integer(
          "events.retained",
          10_000,
          100,
          1_000_000,
          "how many recent events are kept for watchers");
  public static final ConfigKey<Integer> GRPC_THREADS =
      ConfigKey.integer(
          "grpc.threads",
          Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
          1,
          512,
          "threads that run gRPC handlers");
  public static final ConfigKey<String> CATALOG_SOURCE =
      ConfigKey.string("catalog.source", "file", "where the catalog lives: file or postgres");
  public static final ConfigKey<Path> CATALOG_FILE =
      ConfigKey.path(
              "catalog.file",
              null,
              "the catalog's YAML file, watched for changes; without it (and without postgres)"
                  + " nothing runs")
          .withAliases("--catalog");
  public static final ConfigKey<String> CATALOG_POSTGRES_URL =
      ConfigKey.string(
          "catalog.postgres.url",
          null,
          "JDBC URL of the catalog database (catalog.source: postgres)");
  public static final ConfigKey<String> CATALOG_POSTGRES_USER =
      ConfigKey.string("catalog.postgres.user", null, "user of the catalog database");
  public static final ConfigKey<String> CATALOG_POSTGRES_PASSWORD =
      ConfigKey.string("catalog.postgres.password", null, "password of the catalog database");
  public static final ConfigKey<Duration> PORTS_QUARANTINE =
      ConfigKey.duration(
          "ports.quarantine",
          Duration.ofSeconds(30),
          Duration.ZERO,
          Duration.ofHours(1),
          "how long a released instance port rests before it is handed out again");
  public static final ConfigKey<Duration> PORTS_FOREIGN_HOLD =
      ConfigKey.duration(
          "ports.foreignHold",
          Duration.ofMinutes(5),
          Duration.ZERO,
          Duration.ofHours(24),
          "how long a port that another process holds is avoided");
  public static final ConfigKey<Long> ARTIFACTS_MAX_BYTES =
      ConfigKey.bytes(
          "artifacts.maxBytes", 512L << 20, 1L << 10, 16L << 30, "largest jar that can be pushed");
  public static final ConfigKey<Boolean> ARTIFACTS_REQUIRE_SHA256 =
      ConfigKey.bool(
          "artifacts.requireSha256",
          true,
          "every artifact in the catalog must carry a sha256 (blobs do by their name); off only"
              + " in dev mode");

  public static final ConfigKey<String> PROVIDER_KIND =
      ConfigKey.string(
          "provider.kind",
          "standalone",
          "how servers are obtained: standalone (never added or removed), local (agent"
              + " processes on this machine), or a plugin: ec2, azure, docker; its own settings are"
              + " provider.KIND.*");
  public static final ConfigKey<Duration> PROVIDER_IDLE_SERVER_TTL =
      ConfigKey.duration(
          "provider.idleServerTtl",
          Duration.ofMinutes(10),
          Duration.ZERO,
          Duration.ofDays(7),
          "a provider's server that has run nothing for this long is released");
  public static final ConfigKey<Duration> PROVIDER_JOIN_TIMEOUT =
      ConfigKey.duration(
          "provider.joinTimeout",
          Duration.ofMinutes(5),
          Duration.ofSeconds(10),
          Duration.ofHours(2),
          "a new server whose agent has not joined by then is released");
  public static final ConfigKey<Path> PROVIDER_PLUGIN_PATH =
      ConfigKey.path(
          "provider.pluginPath",
          null,
          "directory of provider plugins: each subdirectory (or the directory itself) holds one"
              + " plugin's jar and its lib/, such as a copy of providers/azure/target");
  public static final ConfigKey<String> CLUSTER_NAME =
      ConfigKey.string(
          "clusterName",
          "drover",
          "name of this cluster; providers tag the servers they create with it");

  public static final ConfigKey<String> TLS_MODE =
      ConfigKey.string(
          "tls.mode",
          "on",
          "on: the gRPC port serves TLS with the material in tls.dir and agents need a"
              + " certificate of the cluster CA; off: plaintext, allowed only when listen is a"
              + " loopback address (dev mode)");
  public static final ConfigKey<Path> TLS_DIR =
      ConfigKey.path(
          "tls.dir",
          Path.of("/etc/drover/tls"),
          "directory written by drover tls init: ca.crt, ca.key, controller.crt, controller.key");
  public static final ConfigKey<Duration> TLS_NODE_CERT_LIFETIME =
      ConfigKey.duration(
          "tls.nodeCertLifetime",
          Duration.ofDays(30),
          Duration.ofSeconds(10),
          Duration.ofDays(365),
          "lifetime of the node certificates the controller issues; agents renew at about 2/3"
              + " of it");
  public static final ConfigKey<Boolean> AUTH_ENABLED =
      ConfigKey.bool(
          "auth.enabled",
          true,
          "whether admin API calls need a token or client certificate with a role (viewer,"
              + " operator, admin); see docs/ACCESS.md");
  public static final ConfigKey<Long> CONTROL_MAX_MESSAGE_BYTES =
      ConfigKey.bytes(
          "control.maxMessageBytes",
          4L << 20,
          1L << 10,
          64L << 20,
          "largest request a client may send to the Control API; a larger one gets"
              + " RESOURCE_EXHAUSTED");
  public static final ConfigKey<Integer> LIMITS_AGENT_TELEMETRY_PER_SECOND =
      ConfigKey.integer(
          "limits.agentTelemetryPerSecond",
          20,
          1,
          100_000,
          "telemetry messages an agent stream may send a second (burst: twice that); more"
              + " closes the stream with RESOURCE_EXHAUSTED");
  public static final ConfigKey<Integer> LIMITS_AGENT_REPORTS_PER_SECOND =
      ConfigKey.integer(
          "limits.agentReportsPerSecond",
          20,
          1,
          100_000,
          "overload and error reports an agent stream may send a second (burst: twice that);"
              + " more closes the stream with RESOURCE_EXHAUSTED");

  public static final List<ConfigKey<?>> ALL =
      List.of(
          LISTEN,
          HTTP_LISTEN,
          DATA_DIR,
          TELEMETRY_INTERVAL,
          SUSPECT_AFTER,
          LOST_AFTER,
          STARTUP_GRACE,
          MAX_MESSAGE_BYTES,
          EVENTS_RETAINED,
          GRPC_THREADS,
          CATALOG_SOURCE,
          CATALOG_FILE,
          CATALOG_POSTGRES_URL,
          CATALOG_POSTGRES_USER,
          CATALOG_POSTGRES_PASSWORD,
          PORTS_QUARANTINE,
          PORTS_FOREIGN_HOLD,
          ARTIFACTS_MAX_BYTES,
          PROVIDER_KIND,
          PROVIDER_IDLE_SERVER_TTL,
          PROVIDER_JOIN_TIMEOUT,
          PROVIDER_PLUGIN_PATH,
          CLUSTER_NAME,
          TLS_MODE,
          TLS_DIR,
          TLS_NODE_CERT_LIFETIME,
          AUTH_ENABLED,
          ARTIFACTS_REQUIRE_SHA256,
          CONTROL_MAX_MESSAGE_BYTES,
          LIMITS_AGENT_TELEMETRY_PER_SECOND,
          LIMITS_AGENT_REPORTS_PER_SECOND);

  /** Every setting the controller accepts: its own ({@link #ALL}) and the metrics reporters'. */
  public static final List<ConfigKey<?>> ALL_WITH_METRICS =
      java.util.stream.Stream.concat(ALL.stream(), MetricsSettings.ALL.stream()).toList();

  /** Settings under this prefix belong to the provider plugin, which checks them itself. */
  public static final String PROVIDER_SETTINGS = "provider.";

  /** Where the controller looks for its YAML file when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("/etc/drover/controller.yaml");

  private ControllerSettings() {}
}
