package io.drover.controller;

import io.drover.common.Version;
import io.drover.common.errors.UnavailableException;
import io.drover.common.http.HttpEndpoint;
import io.drover.common.http.HttpResponse;
import io.drover.common.net.HostPort;
import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.Pem;
import io.drover.controller.access.AccessControl;
import io.drover.controller.agents.CoalescedLoads;
import io.drover.controller.artifacts.ArtifactStore;
import io.drover.controller.catalog.ArtifactPolicy;
import io.drover.controller.catalog.CatalogConfig;
import io.drover.controller.catalog.CatalogSource;
import io.drover.controller.catalog.CatalogSources;
import io.drover.controller.config.AccessConfig;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.ControllerOptions;
import io.drover.controller.config.ControllerTls;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.grpc.AccessGrpcService;
import io.drover.controller.grpc.AgentGatewayGrpcService;
import io.drover.controller.grpc.ArtifactsGrpcService;
import io.drover.controller.grpc.ControlGrpcService;
import io.drover.controller.grpc.GrpcServer;
import io.drover.controller.grpc.JoinGrpcService;
import io.drover.controller.grpc.ServerTls;
import io.drover.controller.http.WebRoutes;
import io.drover.controller.logs.LogRouter;
import io.drover.controller.metrics.ControllerMetrics;
import io.drover.controller.nodes.EpochLedger;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.providers.Fleet;
import io.drover.controller.providers.JoinTokens;
import io.drover.controller.providers.ProviderLoader;
import io.drover.controller.recovery.FailureDetector;
import io.drover.controller.scheduling.CatalogService;
import io.drover.controller.scheduling.Scheduler;
import io.drover.controller.security.ClusterSecurity;
import io.drover.controller.state.RecoveryReport;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import io.drover.provider.ProviderContext;
import io.drover.provider.ServerProvider;
import io.grpc.BindableService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
  private final CoalescedLoads containerLoads;
  private final SharedDesiredState state;
  private final ControllerMetrics metrics;

  private final AccessControl access;

  private Controller(ControllerConfig config, ControllerOptions options, Clock clock) {
    ControllerTls tls = options.tls();
    AccessConfig accessConfig = options.access();
    tls.check(config.listen());
    ClusterSecurity security = null;
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
    this.access = new AccessControl(accessConfig.authEnabled(), state, events, clock);
    Optional<java.nio.file.Path> adminTokenFile = access.bootstrapAdmin(config.dataDir());
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
        new CatalogService(
            catalogSource(config),
            config.catalog().baseDir(),
            scheduler,
            events,
            new ArtifactPolicy(accessConfig.requireArtifactSha256()));
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
    this.containerLoads = new CoalescedLoads(scheduler, CoalescedLoads.WINDOW);
    try {
      List<BindableService> services =
          new ArrayList<>(
              List.of(
                  new AgentGatewayGrpcService(
                      nodes,
                      events,
                      // Container loads gathered for a short window and handed to the
                      // scheduler's loop together, not one hand-over per telemetry sample.
                      containerLoads,
                      config.telemetryInterval(),
                      config.maxMessageBytes(),
                      accessConfig.agentTelemetryPerSecond(),
                      accessConfig.agentReportsPerSecond()),
                  new ControlGrpcService(
                      nodes,
                      events,
                      scheduler,
                      catalog,
                      new LogRouter(scheduler, nodes),
                      startedAt,
                      endpoints),
                  new ArtifactsGrpcService(artifacts, io),
                  new AccessGrpcService(access)));
      Optional<ServerTls> serverTls = Optional.empty();
      if (tls.enabled()) {
        Path dir = tls.dir().orElseThrow();
        security =
            new ClusterSecurity(
                CertificateAuthority.load(dir), state, events, clock, tls.nodeCertLifetime());
        services.add(new JoinGrpcService(security, nodes, scheduler::nodeLost));
        serverTls =
            Optional.of(
                new ServerTls(
                    security.ca().certificate(),
                    Pem.privateKey(Pem.read(dir.resolve(CertificateAuthority.SERVER_KEY))),
                    Pem.certificates(Pem.read(dir.resolve(CertificateAuthority.SERVER_CERT))),
                    security::refusal));
      }
      this.grpc =
          GrpcServer.start(
              config, services, serverTls, access, accessConfig.controlMaxMessageBytes());
      // Said once the port is bound, so that a start that fails on a taken port says one line.
      if (security != null) {
        log.info("gRPC serves TLS; cluster CA fingerprint {}", security.ca().fingerprint());
      } else {
        log.warn("gRPC serves PLAINTEXT on loopback {} (tls.mode: off)", config.listen());
      }
    } catch (RuntimeException e) {
      scheduler.close();
      catalog.close();
      state.close();
      io.shutdownNow();
      throw e;
    }
    this.metrics = new ControllerMetrics(options.metrics(), nodes, scheduler, events, clock);
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
    // Said once serving, so that a start that fails (a port taken) fails with one line.
    if (!access.enabled()) {
      log.warn(
          "access control is OFF: anyone who reaches {} may change the cluster", config.listen());
    }
    adminTokenFile.ifPresent(
        file ->
            log.info(
                "access control is on; wrote the first admin token to {} (mode 0600): use it"
                    + " with --token-file {} or DROVER_TOKEN",
                file,
                file));
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
            joinTokens(security),
            this::forgetReleased,
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

  /**
   * A released server's node is gone on purpose: it leaves the node list at once rather than being
   * declared lost a few seconds later.
   */
  private void forgetReleased(String nodeName) {
    for (Node node : nodes.list()) {
      if (node.name().equals(nodeName)) {
        nodes.remove(node.id(), "its server was released").ifPresent(scheduler::nodeLost);
      }
    }
  }

  /** Servers the provider starts join with a token of their own when the cluster has TLS. */
  private static JoinTokens joinTokens(ClusterSecurity security) {
    if (security == null) {
      return JoinTokens.none();
    }
    return (uses, ttl) -> {
      ClusterSecurity.CreatedToken created = security.createToken(ttl, uses);
      return Optional.of(new JoinTokens.Token(created.token(), created.caFingerprint()));
    };
  }

  /**
   * Starts serving with access control OFF (for tests and embedding; {@code drover dev}); throws
   * {@link UnavailableException} when a port cannot be bound.
   */
  public static Controller start(ControllerConfig config) {
    return start(config, ControllerOptions.plaintextDev());
  }

  /**
   * Starts serving with the given TLS, access control and metrics; throws {@link
   * io.drover.common.config.ConfigException} when TLS is off on a non-loopback address or its files
   * are missing.
   */
  public static Controller start(ControllerConfig config, ControllerOptions options) {
    return new Controller(config, options, Clock.systemUTC());
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

  public AccessControl access() {
    return access;
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
    // Decisions stop before the agents' streams close: a scheduler that saw its nodes disconnect
    // while the controller stops would ask the provider for a server nobody needs.
    close(failureDetector, catalog, containerLoads, scheduler, fleet, grpc, metrics, http, state);
    io.shutdownNow();
  }
}
