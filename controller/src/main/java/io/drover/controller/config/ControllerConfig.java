package io.drover.controller.config;

import io.drover.common.config.ConfigException;
import io.drover.common.config.Durations;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The controller's settings, checked at start. */
public record ControllerConfig(
    HostPort listen,
    HostPort httpListen,
    Path dataDir,
    Duration telemetryInterval,
    int maxMessageBytes,
    int eventsRetained,
    int grpcThreads,
    CatalogLocation catalog,
    Duration portQuarantine,
    Duration foreignPortHold,
    long artifactMaxBytes,
    ProviderSettings provider,
    Liveness liveness) {

  /**
   * The failure detector's and the restart's timing.
   *
   * @param startupGrace after a restart, how long to wait for known nodes before acting
   */
  public record Liveness(Duration suspectAfter, Duration lostAfter, Duration startupGrace) {
    public static Liveness defaults() {
      return new Liveness(
          ControllerSettings.SUSPECT_AFTER.defaultValue(),
          ControllerSettings.LOST_AFTER.defaultValue(),
          ControllerSettings.STARTUP_GRACE.defaultValue());
    }

    static Liveness from(Settings s, Duration telemetryInterval) {
      Duration suspect = s.get(ControllerSettings.SUSPECT_AFTER);
      Duration lost = s.get(ControllerSettings.LOST_AFTER);
      if (suspect.compareTo(telemetryInterval) <= 0) {
        throw new ConfigException(
            ControllerSettings.SUSPECT_AFTER.name()
                + " ("
                + Durations.format(suspect)
                + ") must be longer than telemetryInterval ("
                + Durations.format(telemetryInterval)
                + "), or every node would be suspect between two samples");
      }
      if (lost.compareTo(suspect) <= 0) {
        throw new ConfigException(
            ControllerSettings.LOST_AFTER.name()
                + " ("
                + Durations.format(lost)
                + ") must be longer than suspectAfter ("
                + Durations.format(suspect)
                + ")");
      }
      return new Liveness(suspect, lost, s.get(ControllerSettings.STARTUP_GRACE));
    }
  }

  /**
   * How servers are obtained.
   *
   * @param settings the plugin's own settings by full key ({@code provider.ec2.region})
   */
  public record ProviderSettings(
      String kind,
      Duration idleServerTtl,
      Duration joinTimeout,
      String clusterName,
      Map<String, String> settings,
      Optional<Path> pluginPath) {
    public ProviderSettings {
      settings = Map.copyOf(settings);
    }

    public ProviderSettings(
        String kind,
        Duration idleServerTtl,
        Duration joinTimeout,
        String clusterName,
        Map<String, String> settings) {
      this(kind, idleServerTtl, joinTimeout, clusterName, settings, Optional.empty());
    }

    public static ProviderSettings standalone() {
      return new ProviderSettings(
          "standalone", Duration.ofMinutes(10), Duration.ofMinutes(5), "drover", Map.of());
    }

    /** The settings of this kind without their {@code provider.KIND.} prefix. */
    public Map<String, String> own() {
      String prefix = "provider." + kind + ".";
      Map<String, String> own = new java.util.TreeMap<>();
      settings.forEach(
          (key, value) -> {
            if (key.startsWith(prefix)) {
              own.put(key.substring(prefix.length()), value);
            }
          });
      return own;
    }
  }

  /**
   * Where the catalog lives.
   *
   * @param kind {@code file} or {@code postgres}
   * @param file the YAML file, when kind is file; empty for no catalog
   */
  public record CatalogLocation(
      String kind,
      Optional<Path> file,
      Optional<String> postgresUrl,
      Optional<String> postgresUser,
      Optional<String> postgresPassword,
      Optional<Path> artifactBaseDir) {

    public static CatalogLocation none() {
      return new CatalogLocation(
          "file",
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }

    /**
     * A catalog file whose relative artifact paths are resolved against {@code artifactBaseDir}
     * rather than the file's own dir (dev mode keeps a copy of the example catalog).
     */
    public static CatalogLocation file(Path file, Path artifactBaseDir) {
      return new CatalogLocation(
          "file",
          Optional.of(file),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.of(artifactBaseDir));
    }

    /** Relative artifact paths are resolved against this dir. */
    public Path baseDir() {
      return artifactBaseDir
          .or(() -> file.map(f -> f.toAbsolutePath().getParent()))
          .orElse(Path.of("").toAbsolutePath());
    }
  }

  public static ControllerConfig from(Settings s) {
    // The catalog keys are checked together when the source opens (CatalogSources).
    return new ControllerConfig(
        s.get(ControllerSettings.LISTEN),
        s.get(ControllerSettings.HTTP_LISTEN),
        s.get(ControllerSettings.DATA_DIR),
        s.get(ControllerSettings.TELEMETRY_INTERVAL),
        Math.toIntExact(s.get(ControllerSettings.MAX_MESSAGE_BYTES)),
        s.get(ControllerSettings.EVENTS_RETAINED),
        s.get(ControllerSettings.GRPC_THREADS),
        new CatalogLocation(
            s.get(ControllerSettings.CATALOG_SOURCE),
            s.find(ControllerSettings.CATALOG_FILE),
            s.find(ControllerSettings.CATALOG_POSTGRES_URL),
            s.find(ControllerSettings.CATALOG_POSTGRES_USER),
            s.find(ControllerSettings.CATALOG_POSTGRES_PASSWORD),
            Optional.empty()),
        s.get(ControllerSettings.PORTS_QUARANTINE),
        s.get(ControllerSettings.PORTS_FOREIGN_HOLD),
        s.get(ControllerSettings.ARTIFACTS_MAX_BYTES),
        new ProviderSettings(
            s.get(ControllerSettings.PROVIDER_KIND),
            s.get(ControllerSettings.PROVIDER_IDLE_SERVER_TTL),
            s.get(ControllerSettings.PROVIDER_JOIN_TIMEOUT),
            s.get(ControllerSettings.CLUSTER_NAME),
            s.under(ControllerSettings.PROVIDER_SETTINGS).entrySet().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().value())),
            s.find(ControllerSettings.PROVIDER_PLUGIN_PATH)),
        Liveness.from(s, s.get(ControllerSettings.TELEMETRY_INTERVAL)));
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
        ControllerSettings.GRPC_THREADS.defaultValue(),
        CatalogLocation.none(),
        ControllerSettings.PORTS_QUARANTINE.defaultValue(),
        ControllerSettings.PORTS_FOREIGN_HOLD.defaultValue(),
        ControllerSettings.ARTIFACTS_MAX_BYTES.defaultValue(),
        ProviderSettings.standalone(),
        Liveness.defaults());
  }

  public ControllerConfig withTelemetryInterval(Duration interval) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        interval,
        maxMessageBytes,
        eventsRetained,
        grpcThreads,
        catalog,
        portQuarantine,
        foreignPortHold,
        artifactMaxBytes,
        provider,
        liveness);
  }

  public ControllerConfig withMaxMessageBytes(int bytes) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        telemetryInterval,
        bytes,
        eventsRetained,
        grpcThreads,
        catalog,
        portQuarantine,
        foreignPortHold,
        artifactMaxBytes,
        provider,
        liveness);
  }

  public ControllerConfig withCatalog(CatalogLocation location) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        telemetryInterval,
        maxMessageBytes,
        eventsRetained,
        grpcThreads,
        location,
        portQuarantine,
        foreignPortHold,
        artifactMaxBytes,
        provider,
        liveness);
  }

  public ControllerConfig withProvider(ProviderSettings settings) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        telemetryInterval,
        maxMessageBytes,
        eventsRetained,
        grpcThreads,
        catalog,
        portQuarantine,
        foreignPortHold,
        artifactMaxBytes,
        settings,
        liveness);
  }

  public ControllerConfig withPortQuarantine(Duration quarantine) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        telemetryInterval,
        maxMessageBytes,
        eventsRetained,
        grpcThreads,
        catalog,
        quarantine,
        foreignPortHold,
        artifactMaxBytes,
        provider,
        liveness);
  }

  public ControllerConfig withLiveness(Liveness timing) {
    return new ControllerConfig(
        listen,
        httpListen,
        dataDir,
        telemetryInterval,
        maxMessageBytes,
        eventsRetained,
        grpcThreads,
        catalog,
        portQuarantine,
        foreignPortHold,
        artifactMaxBytes,
        provider,
        timing);
  }
}
