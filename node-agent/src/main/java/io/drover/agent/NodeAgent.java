package io.drover.agent;

import io.drover.agent.artifacts.ArtifactCache;
import io.drover.agent.commands.CommandHandler;
import io.drover.agent.config.AgentConfig;
import io.drover.agent.config.AgentTls;
import io.drover.agent.containers.ContainerLauncher;
import io.drover.agent.containers.ContainerListener;
import io.drover.agent.containers.ContainerStore;
import io.drover.agent.containers.ContainerSupervisor;
import io.drover.agent.grpc.CertificateRenewer;
import io.drover.agent.grpc.ContainerLinkServer;
import io.drover.agent.grpc.ControllerLink;
import io.drover.agent.grpc.GrpcBlobFetcher;
import io.drover.agent.grpc.LinkStatus;
import io.drover.agent.grpc.NodeTls;
import io.drover.agent.identity.DataDirLock;
import io.drover.agent.identity.NodeIdentity;
import io.drover.agent.inventory.InventoryProbe;
import io.drover.agent.logs.InstanceLogs;
import io.drover.agent.logs.LogStreams;
import io.drover.agent.metrics.AgentMetrics;
import io.drover.agent.security.NodeCredentials;
import io.drover.agent.telemetry.ContainerSampler;
import io.drover.agent.telemetry.TelemetrySampler;
import io.drover.common.Version;
import io.drover.common.config.ConfigException;
import io.drover.common.errors.UnavailableException;
import io.drover.common.http.HttpEndpoint;
import io.drover.common.http.HttpResponse;
import io.drover.common.metrics.MetricsConfig;
import io.drover.common.retry.Backoff;
import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.Fingerprints;
import io.drover.v1.AgentMessage;
import io.drover.v1.ContainerEvent;
import io.drover.v1.ContainerReport;
import io.drover.v1.ErrorReport;
import io.drover.v1.Hello;
import io.drover.v1.OverloadReport;
import io.drover.v1.PortRange;
import io.drover.v1.Welcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/**
 * The node agent process: its identity, probes, containers, HTTP endpoint and link to the
 * controller. Closing it stops the agent but no container: workloads outlive their manager.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private final AgentConfig config;
  private final DataDirLock dataDirLock;
  private final String nodeId;
  private final ExecutorService io;
  private final Forwarder forward;
  private final ContainerSupervisor supervisor;
  private final ContainerLinkServer containerLinks;
  private final ControllerLink link;
  private final HttpEndpoint http;
  private final AgentMetrics metrics;
  private final ScheduledExecutorService watchdog;
  private final Optional<CertificateRenewer> renewer;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Owned by the watchdog's thread.
  private boolean stoppedForDisconnect;

  private NodeAgent(
      AgentConfig config,
      AgentTls tlsSettings,
      MetricsConfig metricsConfig,
      DataDirLock dataDirLock) {
    this.config = config;
    this.dataDirLock = dataDirLock;
    this.nodeId = NodeIdentity.loadOrCreate(config.dataDir());
    Optional<NodeTls> tls = tls(config, tlsSettings, nodeId);
    SystemInfo system = new SystemInfo();
    InventoryProbe inventory = new InventoryProbe(system);
    TelemetrySampler sampler = new TelemetrySampler(system);
    ContainerSampler containerSampler = new ContainerSampler(system);
    this.io =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "drover-agent-io");
              t.setDaemon(true);
              return t;
            });
    AgentConfig.Containers c = config.containers();
    // The supervisor reports through the link, and the link's commands reach the supervisor:
    // the forwarder breaks that cycle until both exist.
    this.forward = new Forwarder();
    BlobFetcherHolder blobs = new BlobFetcherHolder();
    ContainerLinkServerHolder linkServer = new ContainerLinkServerHolder();
    this.supervisor =
        new ContainerSupervisor(
            new ContainerLauncher(
                c.java(),
                c.classpath(),
                linkServer::address,
                c.logMaxBytes(),
                config.controller().forLocalClient().toString()),
            new ArtifactCache(config.dataDir().resolve("artifacts"), blobs::fetch, io),
            forward,
            config.dataDir().resolve("containers"),
            new ContainerStore(config.dataDir().resolve("container-records")),
            Clock.systemUTC(),
            c.maxStarting(),
            1000);
    // Before containers can attach: an agent that does not know a container refuses it.
    supervisor.recover();
    this.containerLinks =
        ContainerLinkServer.start(
            c.linkListen(),
            config.dataDir().resolve("run"),
            supervisor,
            () -> {
              ControllerLink session = forward.link;
              return session == null ? null : session.channel();
            });
    linkServer.server = containerLinks;
    CommandHandler commands = new CommandHandler(supervisor);
    LogStreams logStreams =
        new LogStreams(
            new InstanceLogs(config.dataDir().resolve("containers"), supervisor::helloReports));
    this.link =
        new ControllerLink(
            config.controller(),
            tls,
            () -> hello(inventory),
            sampler,
            () -> containerSampler.sample(supervisor.reports(), supervisor.reportedMetrics()),
            commands::handle,
            this::welcomed,
            logStreams,
            config.reconnectInitialBackoff(),
            config.reconnectMaxBackoff());
    forward.link = link;
    this.renewer = tls.map(t -> new CertificateRenewer(t, link.channel(), config.dataDir()));
    blobs.fetcher = new GrpcBlobFetcher(link.channel(), io);
    this.metrics =
        new AgentMetrics(metricsConfig, supervisor::reports, link::status, logStreams::active);
    Map<String, java.util.function.Supplier<HttpResponse>> routes = new HashMap<>();
    routes.put("/healthz", this::health);
    if (metrics.prometheusEnabled()) {
      routes.put("/metrics", metrics::scrape);
    }
    this.http = HttpEndpoint.start("agent", config.httpListen(), routes);
    this.watchdog = startWatchdog(config.stopWorkloadsAfterDisconnect());
  }

  /** Watches the controller link when instances must stop after it was down too long. */
  private ScheduledExecutorService startWatchdog(Duration after) {
    if (after.isZero()) {
      return null;
    }
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-agent-watchdog");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(100, Math.min(1000, after.toMillis() / 10));
    executor.scheduleWithFixedDelay(
        () -> checkDisconnect(after), period, period, TimeUnit.MILLISECONDS);
    return executor;
  }

  /** Safety over availability: a node cut off too long from its controller stops its instances. */
  private void checkDisconnect(Duration after) {
    LinkStatus status = link.status();
    if (status.connected()) {
      stoppedForDisconnect = false;
      return;
    }
    Duration down = Duration.between(status.since(), Instant.now());
    if (stoppedForDisconnect || down.compareTo(after) < 0) {
      return;
    }
    stoppedForDisconnect = true;
    log.warn(
        "the controller at {} has been unreachable for {} ms ({}), longer than"
            + " stopWorkloadsAfterDisconnect ({} ms): stopping every instance of this node,"
            + " safety over availability; they do not come back by themselves",
        config.controller(),
        down.toMillis(),
        status.lastError().isEmpty() ? "never connected" : status.lastError(),
        after.toMillis());
    supervisor
        .stopAllInstances(
            "the controller was unreachable for more than "
                + after.toMillis()
                + " ms (stopWorkloadsAfterDisconnect)")
        .thenAccept(n -> log.warn("stopped {} instance(s) for the lost controller", n));
  }

  /**
   * The node's TLS credentials: those stored by an earlier join, or new ones for the join token.
   * Empty when TLS is off.
   */
  private static Optional<NodeTls> tls(AgentConfig config, AgentTls settings, String nodeId) {
    if (!settings.enabled()) {
      log.warn(
          "connecting to the controller at {} in PLAINTEXT (tls.mode: off)", config.controller());
      return Optional.empty();
    }
    Optional<NodeCredentials> stored = NodeCredentials.load(config.dataDir());
    NodeCredentials credentials;
    if (stored.isPresent()) {
      credentials = stored.get();
      if (settings.caFingerprint().isPresent()
          && !Fingerprints.matches(credentials.ca(), settings.caFingerprint().get())) {
        throw new ConfigException(
            "the CA stored in "
                + config.dataDir().resolve(NodeCredentials.DIR)
                + " does not have the fingerprint caFingerprint names");
      }
      String certified = CertificateAuthority.nodeId(credentials.certificate()).orElse("");
      if (!certified.equals(nodeId)) {
        throw new ConfigException(
            "the stored node certificate is for node '"
                + certified
                + "', not this node ("
                + nodeId
                + ")");
      }
    } else {
      if (settings.joinToken().isEmpty() || settings.caFingerprint().isEmpty()) {
        throw new ConfigException(
            "this node has no certificate yet (none in "
                + config.dataDir().resolve(NodeCredentials.DIR)
                + "): start it with --join-token TOKEN (drover token create) and"
                + " --ca-fingerprint SHA256 (printed by drover tls init), or --tls-mode off"
                + " for a controller on loopback without TLS");
      }
      credentials = join(config, settings, nodeId);
      credentials.store(config.dataDir());
      log.info(
          "joined the cluster: node certificate for {} stored in {}, valid until {}",
          nodeId,
          config.dataDir().resolve(NodeCredentials.DIR),
          credentials.notAfter());
    }
    return Optional.of(new NodeTls(credentials, settings.serverName()));
  }

  /** Joins with the token; waits for an unreachable controller, gives up on a refusal. */
  private static NodeCredentials join(AgentConfig config, AgentTls settings, String nodeId) {
    Backoff backoff =
        Backoff.withJitter(config.reconnectInitialBackoff(), config.reconnectMaxBackoff());
    while (true) {
      try {
        return NodeTls.join(
            config.controller(),
            settings.joinToken().get(),
            settings.caFingerprint().get(),
            nodeId,
            settings.serverName());
      } catch (UnavailableException e) {
        long wait = backoff.nextDelay().toMillis();
        log.warn("{}; trying again in {} ms", e.getMessage(), wait);
        try {
          Thread.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Starts the agent; it connects in the background and keeps reconnecting until closed. */
  public static NodeAgent start(AgentConfig config) {
    return start(config, AgentTls.off());
  }

  /** Starts the agent with the given TLS settings and the default metrics reporters. */
  public static NodeAgent start(AgentConfig config, AgentTls tls) {
    return start(config, tls, MetricsConfig.defaults());
  }

  /**
   * Starts the agent with the given TLS settings; with TLS on and no stored certificate, it joins
   * first (and throws {@link io.drover.common.errors.UnauthenticatedException} when refused).
   */
  public static NodeAgent start(AgentConfig config, AgentTls tls, MetricsConfig metricsConfig) {
    // One agent per data dir: two would adopt the same containers and share one socket.
    DataDirLock lock = DataDirLock.acquire(config.dataDir());
    NodeAgent agent;
    try {
      agent = new NodeAgent(config, tls, metricsConfig, lock);
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
    agent.link.start();
    agent.renewer.ifPresent(CertificateRenewer::start);
    log.info(
        "agent {} ({}) started: controller {}, HTTP on port {}, containers attach on {},"
            + " instance ports {}, data in {}",
        config.name(),
        agent.nodeId,
        config.controller(),
        agent.http.port(),
        agent.containerLinks.address(),
        config.ports(),
        config.dataDir());
    return agent;
  }

  public String nodeId() {
    return nodeId;
  }

  public int httpPort() {
    return http.port();
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public LinkStatus linkStatus() {
    return link.status();
  }

  /** The containers as the supervisor last saw them. */
  public List<ContainerReport> containers() {
    return supervisor.reports();
  }

  private Hello hello(InventoryProbe inventory) {
    Hello.Builder hello =
        Hello.newBuilder()
            .setNodeId(nodeId)
            .setNodeName(config.name())
            .setAgentVersion(Version.current())
            .setAgentPid(ProcessHandle.current().pid())
            .setInventory(inventory.probe())
            .addAllContainers(supervisor.helloReports())
            .setInstancePorts(
                PortRange.newBuilder().setLow(config.ports().low()).setHigh(config.ports().high()))
            .setHttpPort(http.port())
            .setAcceptsCommandBatches(true);
    config.advertiseAddress().ifPresent(hello::setAdvertiseAddress);
    return hello.build();
  }

  /** On the link's thread, once a session is open. */
  private void welcomed(Welcome welcome) {
    if (welcome.getReplacedInstanceIdsCount() > 0) {
      // Fencing: while this node was lost, the controller started these instances elsewhere.
      String why =
          "the controller replaced it on another node while this node was lost (fencing, session"
              + " epoch "
              + welcome.getSessionEpoch()
              + ")";
      log.warn(
          "the controller says instances {} were replaced elsewhere while this node was lost;"
              + " stopping them here",
          welcome.getReplacedInstanceIdsList());
      supervisor.stopInstances(welcome.getReplacedInstanceIdsList(), why);
    }
    // The ends of containers found at start, once, now that someone listens.
    supervisor
        .takeDeparted()
        .thenAccept(reports -> reports.forEach(report -> forward.changed(report, "")));
  }

  private HttpResponse health() {
    LinkStatus s = link.status();
    return HttpResponse.json(
        200,
        String.format(
            "{\"status\":\"ok\",\"nodeId\":\"%s\",\"controller\":\"%s\",\"connected\":%b,"
                + "\"sessionEpoch\":%d,\"containers\":%d}%n",
            nodeId,
            config.controller(),
            s.connected(),
            s.sessionEpoch(),
            supervisor.reports().size()));
  }

  /** Stops every container of this node, then the agent (dev mode, when its parent is gone). */
  public void closeWithContainers() {
    if (!closed.get()) {
      log.info("stopping every container of {} before the agent stops", config.name());
      supervisor.stopAll(java.time.Duration.ofSeconds(5));
    }
    close();
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    renewer.ifPresent(CertificateRenewer::close);
    link.close();
    supervisor.close();
    containerLinks.close();
    http.close();
    metrics.close();
    io.shutdownNow();
    dataDirLock.close();
    log.info("agent {} stopped; its containers keep running", config.name());
  }

  /** Sends the supervisor's reports on the controller link once it exists. */
  private static final class Forwarder implements ContainerListener {
    volatile ControllerLink link;

    @Override
    public void changed(ContainerReport report, String commandId) {
      ControllerLink l = link;
      if (l != null) {
        l.report(
            AgentMessage.newBuilder()
                .setContainerEvent(
                    ContainerEvent.newBuilder().setContainer(report).setCommandId(commandId)));
      }
    }

    @Override
    public void overload(OverloadReport report) {
      ControllerLink l = link;
      if (l != null) {
        l.report(AgentMessage.newBuilder().setOverload(report));
      }
    }

    @Override
    public void error(ErrorReport report) {
      ControllerLink l = link;
      if (l != null) {
        l.report(AgentMessage.newBuilder().setError(report));
      }
    }
  }

  private static final class BlobFetcherHolder {
    volatile GrpcBlobFetcher fetcher;

    java.util.concurrent.CompletableFuture<Void> fetch(String sha256, java.nio.file.Path target) {
      return fetcher.fetch(sha256, target);
    }
  }

  private static final class ContainerLinkServerHolder {
    volatile ContainerLinkServer server;

    String address() {
      return server.address().toString();
    }
  }
}
