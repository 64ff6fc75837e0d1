package io.drover.controller;

import io.drover.common.Version;
import io.drover.common.errors.UnavailableException;
import io.drover.common.http.HttpEndpoint;
import io.drover.common.http.HttpResponse;
import io.drover.common.metrics.MetricsConfig;
import io.drover.common.net.HostPort;
import io.drover.controller.artifacts.ArtifactStore;
import io.drover.controller.catalog.CatalogConfig;
import io.drover.controller.catalog.CatalogSource;
import io.drover.controller.catalog.CatalogSources;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.grpc.AgentGatewayGrpcService;
import io.drover.controller.grpc.ArtifactsGrpcService;
import io.drover.controller.grpc.ControlGrpcService;
import io.drover.controller.grpc.GrpcServer;
import io.drover.controller.http.WebRoutes;
import io.drover.controller.metrics.ControllerMetrics;
import io.drover.controller.nodes.EpochLedger;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.providers.Fleet;
import io.drover.controller.providers.ProviderLoader;
import io.drover.controller.recovery.FailureDetector;
import io.drover.controller.scheduling.CatalogService;
import io.drover.controller.scheduling.Scheduler;
import io.drover.controller.state.RecoveryReport;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import io.drover.provider.ProviderContext;
import io.drover.provider.ServerProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: its state, its scheduler, its gRPC server and its HTTP endpoint. Closing
 * it stops the controller and nothing else: instances keep running on their nodes.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  private final EventJournal events;
  private final NodeRegistry nodes;
  private final Scheduler scheduler;
  private final CatalogService catalog;
  private final EndpointBook endpoints;
  private final ExecutorService io;
  private final GrpcServer grpc;
  private final HttpEndpoint http;
  private final Fleet fleet;
  private final FailureDetector failureDetector;
  private final SharedDesiredState state;
  private final ControllerMetrics metrics;

  private Controller(ControllerConfig config, MetricsConfig metricsConfig, Clock clock) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data dir " + config.dataDir(), e);
    }
    Instant startedAt = clock.instant();
    this.events = new EventJournal(config.eventsRetained(), clock);
    this.state = SharedDesiredState.open(config.dataDir().resolve("state"));
    RecoveryReport recovery = state.recovery();
    // Said with the CONTROLLER_STARTED event; a problem is said at once.
    log.debug("desired state: {}", recovery.summary());
    for (String problem : recovery.problems()) {
      log.warn("desired state repaired: {}", problem);
      events.publish(EventKind.STATE_REPAIRED, "controller", problem, Map.of());
    }
    this.nodes =
        new NodeRegistry(
            events,
            clock,
            new EpochLedger() {
              @Override
              public long highest(String nodeId) {
                return state.read(s -> s.epoch(nodeId));
              }

              @Override
              public void issued(String nodeId, long epoch) {
                state.submit(new StateCommand.RecordEpoch(nodeId, epoch));
              }
            });
    this.scheduler =
        new Scheduler(
            nodes,
            events,
            clock,
            config.portQuarantine(),
            config.foreignPortHold(),
            state,
            config.liveness().startupGrace());
    this.endpoints = new EndpointBook(clock);
    this.catalog =
        new CatalogService(catalogSource(config), config.catalog().baseDir(), scheduler, events);
    this.io =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "drover-controller-io");
              t.setDaemon(true);
              return t;
            });
    ArtifactStore artifacts =
        new ArtifactStore(
            config.dataDir().resolve("artifacts"),
            config.artifactMaxBytes(),
            clock,
            info -> state.submit(StateCommand.AddArtifact.of(info)));
    try {
      this.grpc =
          GrpcServer.start(
              config,
              List.of(
                  new AgentGatewayGrpcService(
                      nodes,
                      events,
                      scheduler,
                      config.telemetryInterval(),
                      config.maxMessageBytes()),
                  new ControlGrpcService(nodes, events, scheduler, catalog, startedAt, endpoints),
                  new ArtifactsGrpcService(artifacts, io)));
    } catch (RuntimeException e) {
      scheduler.close();
      catalog.close();
      state.close();
      io.shutdownNow();
      throw e;
    }
    this.metrics = new ControllerMetrics(metricsConfig, nodes, scheduler, events, clock);
    Map<String, java.util.function.Supplier<HttpResponse>> routes = new HashMap<>();
    routes.put("/healthz", this::health);
    if (metrics.prometheusEnabled()) {
      routes.put("/metrics", metrics::scrape);
    }
    try {
      this.http =
          HttpEndpoint.start(
              "controller",
              config.httpListen(),
              routes,
              new WebRoutes(nodes, scheduler, events, startedAt, endpoints));
    } catch (UnavailableException e) {
      close(metrics, grpc, scheduler, catalog, state);
      io.shutdownNow();
      throw e;
    }
    ControllerConfig.ProviderSettings providerSettings = config.provider();
    HostPort advertised = config.listen().withPort(grpc.port()).forLocalClient();
    ServerProvider provider;
    try {
      provider =
          ProviderLoader.load(
              providerSettings.kind(),
              new ProviderContext(
                  advertised.toString(),
                  config.dataDir().resolve("providers"),
                  providerSettings.own(),
                  providerSettings.clusterName()),
              providerSettings.pluginPath());
    } catch (RuntimeException e) {
      close(metrics, http, grpc, scheduler, catalog, state);
      io.shutdownNow();
      throw e;
    }
    this.fleet =
        new Fleet(
            provider,
            state,
            config.dataDir().resolve("servers.json"),
            events,
            clock,
            providerSettings.joinTimeout(),
            scheduler::changed);
    fleet.start();
    scheduler.useFleet(fleet, providerSettings.idleServerTtl());
    this.failureDetector =
        new FailureDetector(
            nodes,
            config.liveness().suspectAfter(),
            config.liveness().lostAfter(),
            scheduler::nodeLost);
    failureDetector.start();
    events.publish(
        EventKind.CONTROLLER_STARTED,
        "controller",
        "controller "
            + Version.current()
            + " started: gRPC on "
            + config.listen().withPort(grpc.port())
            + ", HTTP on "
            + config.httpListen().withPort(http.port())
            + ", catalog from "
            + catalog.describe()
            + ", servers from the "
            + provider.kind()
            + " provider; "
            + recovery.summary());
    catalog.start();
    scheduler.publishEndpointsTo(endpoints);
  }

  /** The configured catalog source; none when neither a file nor a database is named. */
  private static Optional<CatalogSource> catalogSource(ControllerConfig config) {
    ControllerConfig.CatalogLocation location = config.catalog();
    if (location.kind().equals("file") && location.file().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        CatalogSources.create(
            new CatalogConfig(
                location.kind(),
                location.file().orElse(null),
                location.postgresUrl().orElse(null),
                location.postgresUser().orElse(null),
                location.postgresPassword().orElse(null))));
  }

  /** Starts serving; throws {@link UnavailableException} when a port cannot be bound. */
  public static Controller start(ControllerConfig config) {
    return start(config, MetricsConfig.defaults());
  }

  /** Starts serving, with the metrics reporters of {@code metricsConfig}. */
  public static Controller start(ControllerConfig config, MetricsConfig metricsConfig) {
    return new Controller(config, metricsConfig, Clock.systemUTC());
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int httpPort() {
    return http.port();
  }

  public NodeRegistry nodes() {
    return nodes;
  }

  public EventJournal events() {
    return events;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public ControllerMetrics metrics() {
    return metrics;
  }

  private HttpResponse health() {
    return grpc.isServing()
        ? HttpResponse.json(200, "{\"status\":\"ok\"}\n")
        : HttpResponse.json(503, "{\"status\":\"stopping\"}\n");
  }

  private static void close(AutoCloseable... parts) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("error while closing {}", part, e);
      }
    }
  }

  @Override
  public void close() {
    log.info("controller stopping");
    close(failureDetector, grpc, catalog, metrics, scheduler, fleet, http, state);
    io.shutdownNow();
  }
}
