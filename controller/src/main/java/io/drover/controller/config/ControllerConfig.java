package io.drover.controller.config;

import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;

/** The controller's settings, checked at start. */
public record ControllerConfig(
    HostPort listen,
    HostPort httpListen,
    Path dataDir,
    Duration telemetryInterval,
    int maxMessageBytes,
    int eventsRetained,
    int grpcThreads) {

  public static ControllerConfig from(Settings s) {
    return new ControllerConfig(
        s.get(ControllerSettings.LISTEN),
        s.get(ControllerSettings.HTTP_LISTEN),
        s.get(ControllerSettings.DATA_DIR),
        s.get(ControllerSettings.TELEMETRY_INTERVAL),
        Math.toIntExact(s.get(ControllerSettings.MAX_MESSAGE_BYTES)),
        s.get(ControllerSettings.EVENTS_RETAINED),
        s.get(ControllerSettings.GRPC_THREADS));
  }

  /** Every default, with the given addresses and data dir; for tests and embedding. */
  public static ControllerConfig defaults(HostPort listen, HostPort httpListen, Path dataDir) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        ControllerSettings.TELEMETRY_INTERVAL.defaultValue(),
        Math.toIntExact(ControllerSettings.MAX_MESSAGE_BYTES.defaultValue()),
        ControllerSettings.EVENTS_RETAINED.defaultValue(),
        ControllerSettings.GRPC_THREADS.defaultValue());
  }

  public ControllerConfig withTelemetryInterval(Duration interval) {
    return new ControllerConfig(
        listen, httpListen, dataDir, interval, maxMessageBytes, eventsRetained, grpcThreads);
  }

  public ControllerConfig withMaxMessageBytes(int bytes) {
    return new ControllerConfig(
        listen, httpListen, dataDir, telemetryInterval, bytes, eventsRetained, grpcThreads);
  }
}
