package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.common.security.Pem;
import io.drover.testing.FreePorts;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A controller and agents as real processes, seen through the Control API: what the failure and
 * recovery tests need to start them, kill them, and ask what serves.
 */
final class TestCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  /**
   * Writes a catalog of one service, {@code hello} (the example HelloService, one {@code http}
   * port, a 1 s grace period), with the given further fields, one YAML line each.
   */
  static Path helloCatalog(Path dir, String... fields) throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            """
            services:
              - name: hello
                artifact: {path: %s}
                entry: io.drover.examples.hello.HelloService
                ports: [http]
                gracePeriod: 1s
            """
                .formatted(EXAMPLES));
    for (String field : fields) {
      yaml.append("    ").append(field).append('\n');
    }
    Path catalog = dir.resolve("catalog.yaml");
    java.nio.file.Files.writeString(catalog, yaml);
    return catalog;
  }

  private final DroverProcesses drover;
  private final String controllerAddress;
  private final String listen;

  /** The cluster's TLS material when the controller serves TLS; null on plaintext loopback. */
  private final Path tls;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private ManagedChannel channel;

  /**
   * @param listen where the controller listens; agents reach it at {@code controllerAddress}
   */
  TestCluster(DroverProcesses drover, String listen, String controllerAddress, Path tls) {
    this.drover = drover;
    this.listen = listen;
    this.controllerAddress = controllerAddress;
    this.tls = tls;
  }

  /** A controller on a free loopback port. */
  static TestCluster onLoopback(DroverProcesses drover) {
    String address = "127.0.0.1:" + FreePorts.find();
    return new TestCluster(drover, address, address, null);
  }

  /**
   * A controller listening on every interface, so that agents in network namespaces reach it. Off
   * loopback it serves mutual TLS, as in production: the cluster's CA is made with {@code drover
   * tls init}, and each agent joins with a join token of its own.
   */
  static TestCluster onAllInterfaces(DroverProcesses drover, int port) {
    Path tls = drover.workDir().resolve("tls");
    var init = drover.run("tls", "init", "--dir", tls.toString());
    assertThat(init.exitCode()).as(init.stderr()).isZero();
    return new TestCluster(drover, "0.0.0.0:" + port, "127.0.0.1:" + port, tls);
  }

  /** Client options that reach this cluster's controller as its admin. */
  List<String> clientOptions() {
    List<String> options = new ArrayList<>(List.of("--controller", controllerAddress));
    if (tls != null) {
      options.addAll(
          List.of(
              "--ca",
              tls.resolve("ca.crt").toString(),
              "--cert",
              tls.resolve("admin.crt").toString(),
              "--key",
              tls.resolve("admin.key").toString()));
    }
    return options;
  }

  /** The options an agent needs to join: a fresh single-use join token and the CA to pin. */
  private List<String> joinOptions() {
    if (tls == null) {
      return List.of();
    }
    List<String> args = new ArrayList<>(List.of("token", "create", "--output", "json"));
    args.addAll(clientOptions());
    var created = drover.run(args.toArray(String[]::new));
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    try {
      JsonNode token = JSON.readTree(created.stdout());
      return List.of(
          "--tls-mode",
          "on",
          "--join-token",
          token.get("token").asText(),
          "--ca-fingerprint",
          token.get("caFingerprint").asText(),
          // Agents in namespaces dial the host's veth address; the certificate names localhost.
          "--tls-server-name",
          "localhost");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String controllerAddress() {
    return controllerAddress;
  }

  DroverProcesses.Daemon startController(Path catalog, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "controller",
                "--listen",
                listen,
                "--http-listen",
                "127.0.0.1:0",
                "--data-dir",
                drover.workDir().resolve("controller").toString(),
                "--catalog",
                catalog.toString()));
    if (tls != null) {
      args.addAll(List.of("--tls-mode", "on", "--tls-dir", tls.toString()));
    }
    args.addAll(List.of(extra));
    DroverProcesses.Daemon daemon = drover.start(args.toArray(String[]::new));
    if (tls != null) {
      // Join tokens are minted through the API: wait until it answers.
      await().atMost(Duration.ofSeconds(60)).until(() -> instancesAnswer());
    }
    return daemon;
  }

  DroverProcesses.Daemon startAgent(String name, String ports, String... extra) {
    return startAgentUnder(List.of(), controllerAddress, name, ports, extra);
  }

  /** An agent started through {@code prefix} (a network namespace), reaching {@code controller}. */
  DroverProcesses.Daemon startAgentUnder(
      List<String> prefix, String controller, String name, String ports, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--controller",
                controller,
                "--data-dir",
                drover.workDir().resolve(name).toString(),
                "--name",
                name,
                "--http-listen",
                "127.0.0.1:0",
                "--ports",
                ports));
    args.addAll(joinOptions());
    args.addAll(List.of(extra));
    return drover.startUnder(prefix, args.toArray(String[]::new));
  }

  /** The Control API, with a deadline on each call. */
  ControlGrpc.ControlBlockingStub control() {
    if (channel == null) {
      NettyChannelBuilder builder =
          NettyChannelBuilder.forTarget(listen.replace("0.0.0.0", "127.0.0.1"));
      if (tls == null) {
        builder.usePlaintext();
      } else {
        try {
          builder.sslContext(
              GrpcSslContexts.forClient()
                  .trustManager(Pem.certificate(Pem.read(tls.resolve("ca.crt"))))
                  .keyManager(
                      Pem.privateKey(Pem.read(tls.resolve("admin.key"))),
                      Pem.certificates(Pem.read(tls.resolve("admin.crt")))
                          .toArray(new X509Certificate[0]))
                  .build());
        } catch (SSLException e) {
          throw new IllegalStateException(e);
        }
      }
      channel = builder.build();
    }
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private boolean instancesAnswer() {
    try {
      instances();
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  List<Instance> instances() {
    return control().listInstances(ListInstancesRequest.getDefaultInstance()).getInstancesList();
  }

  List<Instance> ready() {
    return instances().stream()
        .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
        .toList();
  }

  /** The last {@code tail} events, oldest first. */
  List<Event> events(int tail) {
    List<Event> events = new ArrayList<>();
    Iterator<Event> it =
        control().watchEvents(WatchEventsRequest.newBuilder().setTail(tail).build());
    it.forEachRemaining(events::add);
    return events;
  }

  /** The controller's Prometheus metrics: GET /metrics on the HTTP port its start event names. */
  String metrics() throws IOException, InterruptedException {
    Event started =
        events(1000).stream()
            .filter(e -> e.getKind().equals("CONTROLLER_STARTED"))
            .reduce((first, second) -> second)
            .orElseThrow(() -> new AssertionError("no CONTROLLER_STARTED event"));
    java.util.regex.Matcher http =
        java.util.regex.Pattern.compile("HTTP on [^,]*:(\\d+),").matcher(started.getMessage());
    assertThat(http.find()).as(started.getMessage()).isTrue();
    HttpResponse<String> response =
        this.http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.group(1) + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The controller's {@code drover_ports_free} of a node: ports it may hand out there now. */
  double freePorts(String node) throws IOException, InterruptedException {
    java.util.regex.Matcher free =
        java.util.regex.Pattern.compile(
                "(?m)^drover_ports_free\\{node=\"" + node + "\",?\\} (\\S+)$")
            .matcher(metrics());
    assertThat(free.find()).as("drover_ports_free of %s", node).isTrue();
    return Double.parseDouble(free.group(1));
  }

  /** Whether the instance answers HTTP on its first port. */
  boolean serves(Instance instance) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://"
                              + instance.getAddress()
                              + ":"
                              + instance.getPorts(0).getPort()
                              + "/"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          && response.body().equals("hello from " + instance.getId() + "\n");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
