package io.drover.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers as agent containers on one Docker host. Each container runs the agent image, publishes
 * its own slice of the port range on the host, and carries the labels {@code drover.cluster},
 * {@code drover.node}, {@code drover.managed=true} and {@code drover.ports}; {@link #list} finds
 * them by label alone, so a restarted controller sees what an earlier one started.
 */
public final class DockerServerProvider implements ServerProvider {
  public static final String KIND = "docker";
  static final String LABEL_CLUSTER = "drover.cluster";
  static final String LABEL_NODE = "drover.node";
  static final String LABEL_MANAGED = "drover.managed";
  static final String LABEL_PORTS = "drover.ports";
  static final String LABEL_REASON = "drover.reason";

  /** Attempts of one Engine API call that the host rate-limits (HTTP 429) or that is busy (503). */
  static final int ATTEMPTS = 4;

  private static final Logger log = LoggerFactory.getLogger(DockerServerProvider.class);
  private static final int STOP_TIMEOUT_SECONDS = 10;

  private final ProviderContext context;
  private final DockerSettings settings;
  private final DockerClient docker;
  private final SecureRandom random = new SecureRandom();

  DockerServerProvider(ProviderContext context, DockerSettings settings) {
    this.context = context;
    this.settings = settings;
    this.docker = client(settings);
  }

  private static DockerClient client(DockerSettings settings) {
    DefaultDockerClientConfig.Builder config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(settings.host().toString())
            .withDockerTlsVerify(settings.tlsVerify())
            .withApiVersion(settings.apiVersion());
    settings.certPath().ifPresent(config::withDockerCertPath);
    DockerClientConfig built = config.build();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(built.getDockerHost())
            .sslConfig(built.getSSLConfig())
            .maxConnections(8)
            .connectionTimeout(settings.apiTimeout())
            .responseTimeout(settings.apiTimeout())
            .build();
    return DockerClientImpl.getInstance(built, http);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public boolean canProvision() {
    return true;
  }

  @Override
  public boolean canRelease() {
    return true;
  }

  /**
   * Creates and starts one container per server. If one fails, the containers this call already
   * started are removed before the error is thrown. Synchronized so that two requests cannot take
   * the same port slice.
   */
  @Override
  public synchronized List<Server> provision(ProvisionRequest request) throws ProviderException {
    List<Server> existing = list();
    ProviderException.checkMaxServers(
        DockerSettings.PREFIX,
        settings.maxServers(),
        context.clusterName(),
        existing.size(),
        request.count());
    Set<String> slicesInUse = new HashSet<>();
    existing.forEach(s -> slicesInUse.add(s.details().get("ports")));
    List<Server> created = new ArrayList<>();
    try {
      for (int n = 0; n < request.count(); n++) {
        String slice = freeSlice(slicesInUse);
        slicesInUse.add(slice);
        created.add(start(request, slice));
      }
      return created;
    } catch (ProviderException e) {
      throw withCleanUp(e, created, request.count());
    }
  }

  private String freeSlice(Set<String> inUse) {
    for (int slot = 0; slot < settings.maxServers(); slot++) {
      if (!inUse.contains(settings.slice(slot))) {
        return settings.slice(slot);
      }
    }
    throw new IllegalStateException("maxServers was checked: a slice must be free");
  }

  private Server start(ProvisionRequest request, String slice) throws ProviderException {
    String name = "docker-" + HexFormat.of().formatHex(random.generateSeed(4));
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_CLUSTER, context.clusterName());
    labels.put(LABEL_NODE, name);
    labels.put(LABEL_MANAGED, "true");
    labels.put(LABEL_PORTS, slice);
    if (!request.reason().isBlank()) {
      labels.put(LABEL_REASON, request.reason());
    }
    Map<String, String> env =
        new LinkedHashMap<>(
            settings.join().environment(context.controllerAddress(), name, request));
    env.put("DROVER_PORTS", slice);
    settings.advertiseAddress().ifPresent(a -> env.put("DROVER_ADVERTISE_ADDRESS", a));

    int first = Integer.parseInt(slice.substring(0, slice.indexOf('-')));
    int last = Integer.parseInt(slice.substring(slice.indexOf('-') + 1));
    List<ExposedPort> exposed = new ArrayList<>();
    Ports bindings = new Ports();
    for (int port = first; port <= last; port++) {
      ExposedPort p = ExposedPort.tcp(port);
      exposed.add(p);
      bindings.bind(p, Ports.Binding.bindPort(port));
    }
    HostConfig host =
        HostConfig.newHostConfig()
            .withPortBindings(bindings)
            .withRestartPolicy(RestartPolicy.unlessStoppedRestart());
    settings.network().ifPresent(host::withNetworkMode);

    String id =
        call(
                "create",
                () ->
                    docker
                        .createContainerCmd(settings.image())
                        .withName(name)
                        .withLabels(labels)
                        .withEnv(
                            env.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .toList())
                        .withExposedPorts(exposed)
                        .withHostConfig(host)
                        .exec())
            .getId();
    Server server = new Server(id, KIND, name, Instant.now(), details(slice, "created"));
    try {
      call(
          "start",
          () -> {
            docker.startContainerCmd(id).exec();
            return null;
          });
    } catch (ProviderException e) {
      // Created but not started: remove it here, since the caller only knows started servers.
      throw withCleanUp(e, List.of(server), 1);
    }
    log.info("started container {} ({}) with ports {}", name, id, slice);
    return server;
  }

  private Map<String, String> details(String slice, String state) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("host", settings.host().toString());
    details.put("image", settings.image());
    details.put("ports", slice);
    details.put("state", state);
    return details;
  }

  private ProviderException withCleanUp(ProviderException e, List<Server> created, int asked) {
    if (created.isEmpty()) {
      return e;
    }
    List<String> left = new ArrayList<>();
    ProviderException cleanUpFailure = null;
    for (Server server : created) {
      try {
        release(server);
      } catch (ProviderException failure) {
        left.add(server.id());
        cleanUpFailure = failure;
      }
    }
    String ids = created.stream().map(Server::id).toList().toString();
    String message =
        left.isEmpty()
            ? e.getMessage()
                + "; removed the "
                + created.size()
                + " of the "
                + asked
                + " requested servers already created "
                + ids
            : e.getMessage()
                + "; could not remove "
                + left
                + " ("
                + cleanUpFailure.getMessage()
                + "): they carry "
                + LABEL_CLUSTER
                + "="
                + context.clusterName()
                + " and are found by list()";
    return new ProviderException(e.kind(), message, e);
  }

  /** Stops and removes the container; one that is gone already counts as released. */
  @Override
  public void release(Server server) throws ProviderException {
    try {
      call(
          "stop",
          () -> {
            docker.stopContainerCmd(server.id()).withTimeout(STOP_TIMEOUT_SECONDS).exec();
            return null;
          });
    } catch (ProviderException e) {
      if (!(e.getCause() instanceof NotFoundException
          || e.getCause() instanceof NotModifiedException)) {
        throw e;
      }
    }
    try {
      call(
          "remove",
          () -> {
            docker.removeContainerCmd(server.id()).withForce(true).withRemoveVolumes(true).exec();
            return null;
          });
    } catch (ProviderException e) {
      if (!(e.getCause() instanceof NotFoundException)) {
        throw e;
      }
    }
  }

  /** Every container, running or not, that carries this cluster's labels. */
  @Override
  public List<Server> list() throws ProviderException {
    List<Container> containers =
        call(
            "list",
            () ->
                docker
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(
                        Map.of(LABEL_CLUSTER, context.clusterName(), LABEL_MANAGED, "true"))
                    .exec());
    List<Server> servers = new ArrayList<>();
    for (Container c : containers) {
      Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
      // The host filters already; this keeps a host that ignores a filter from handing over
      // someone else's containers.
      if (!context.clusterName().equals(labels.get(LABEL_CLUSTER))
          || !"true".equals(labels.get(LABEL_MANAGED))) {
        continue;
      }
      String name = labels.getOrDefault(LABEL_NODE, c.getId());
      Instant created =
          c.getCreated() == null ? Instant.EPOCH : Instant.ofEpochSecond(c.getCreated());
      servers.add(
          new Server(
              c.getId(),
              KIND,
              name,
              created,
              details(
                  labels.getOrDefault(LABEL_PORTS, ""),
                  c.getState() == null ? "unknown" : c.getState())));
    }
    return servers;
  }

  /**
   * One Engine API call, retried with jittered exponential backoff while the host answers 429 (a
   * rate-limiting proxy in front of it, or a registry's pull limit) or 503.
   */
  private <T> T call(String what, Supplier<T> call) throws ProviderException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        ProviderException mapped = DockerErrors.map(what, settings.host(), e);
        if (mapped.kind() != Kind.THROTTLED && !isBusy(e) || attempt >= ATTEMPTS) {
          throw mapped;
        }
        long base = settings.retryBaseDelay().toMillis() << (attempt - 1);
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        log.debug(
            "docker {} refused ({}); attempt {} in {} ms",
            what,
            e.getMessage(),
            attempt + 1,
            delay);
        try {
          Thread.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw mapped;
        }
      }
    }
  }

  private static boolean isBusy(RuntimeException e) {
    return e instanceof DockerException && ((DockerException) e).getHttpStatus() == 503;
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (IOException e) {
      log.debug("closing the Docker client: {}", e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "DockerServerProvider[host="
        + settings.host()
        + ", image="
        + settings.image()
        + ", cluster="
        + context.clusterName()
        + ", join="
        + settings.join()
        + "]";
  }
}
