package io.drover.controller.config;

import io.drover.common.config.ConfigKey;
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
          "gRPC address for agents and clients (Control, AgentGateway, health, reflection)");
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

  public static final List<ConfigKey<?>> ALL =
      List.of(
          LISTEN,
          HTTP_LISTEN,
          DATA_DIR,
          TELEMETRY_INTERVAL,
          MAX_MESSAGE_BYTES,
          EVENTS_RETAINED,
          GRPC_THREADS);

  /** Where the controller looks for its YAML file when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("/etc/drover/controller.yaml");

  private ControllerSettings() {}
}
