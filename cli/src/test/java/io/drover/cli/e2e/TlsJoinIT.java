package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.KeyPairs;
import io.drover.common.security.Pem;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.ControllerMessage;
import io.drover.v1.Hello;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 7 with real processes and sockets: only an agent with a valid join token or a
 * certificate of the cluster CA gets in, and what is refused leaves no node, no state and no
 * process behind.
 */
class TlsJoinIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private DroverProcesses drover;
  private String controller;
  private Path tls;
  private String fingerprint;

  /** tls init, then a controller with TLS whose node certificates live {@code lifetime}. */
  private DroverProcesses.Daemon startSecureController(String lifetime) throws Exception {
    drover = new DroverProcesses(dir, cleanup);
    controller = "127.0.0.1:" + FreePorts.find();
    tls = dir.resolve("tls");
    var init = drover.run("tls", "init", "--dir", tls.toString(), "--hosts", "127.0.0.1");
    assertThat(init.exitCode()).as(init.stderr()).isZero();
    fingerprint =
        init.stdout()
            .lines()
            .filter(l -> l.startsWith("CA fingerprint"))
            .map(l -> l.substring(l.lastIndexOf(' ') + 1))
            .findFirst()
            .orElseThrow();
    for (String key : List.of("ca.key", "controller.key", "admin.key")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(key))))
          .as(key)
          .isEqualTo("rw-------");
    }
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, "services: []\n");
    DroverProcesses.Daemon daemon =
        drover.start(
            "controller",
            "--tls-mode",
            "on",
            "--auth-enabled",
            "true",
            "--tls-dir",
            tls.toString(),
            "--tls-node-cert-lifetime",
            lifetime,
            "--listen",
            controller,
            "--http-listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.resolve("controller").toString(),
            "--catalog",
            catalog.toString());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> admin("nodes", "--output", "json").exitCode() == 0);
    return daemon;
  }

  private DroverProcesses.Result admin(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--controller",
            controller,
            "--ca",
            tls.resolve("ca.crt").toString(),
            "--cert",
            tls.resolve("admin.crt").toString(),
            "--key",
            tls.resolve("admin.key").toString()));
    return drover.run(all.toArray(String[]::new));
  }

  private String token(String ttl, int uses) {
    var created = admin("token", "create", "--ttl", ttl, "--uses", Integer.toString(uses));
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    return created.stdout().trim();
  }

  private String[] agentArgs(String name, String ports, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--tls-mode",
                "on",
                "--controller",
                controller,
                "--data-dir",
                dir.resolve(name).toString(),
                "--name",
                name,
                "--http-listen",
                "127.0.0.1:0",
                "--ports",
                ports,
                "--reconnect-max-backoff",
                "1s"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private JsonNode nodes() throws Exception {
    var result = admin("nodes", "--output", "json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }

  private List<String> nodeNames() throws Exception {
    return nodes().findValuesAsText("name");
  }

  /** The agent process ends with exit 1 and says why; nothing is stored, no node appears. */
  private void assertRefusedAtJoin(String name, String token, String fingerprint, String... why)
      throws Exception {
    DroverProcesses.Daemon agent =
        drover.start(
            agentArgs(name, "21000-21099", "--join-token", token, "--ca-fingerprint", fingerprint));
    assertThat(agent.process().waitFor(60, TimeUnit.SECONDS)).as(agent.output()).isTrue();
    assertThat(agent.process().exitValue()).as(agent.output()).isEqualTo(1);
    assertThat(agent.output()).contains(why);
    assertThat(dir.resolve(name).resolve("tls")).doesNotExist();
    assertThat(nodeNames()).doesNotContain(name);
  }

  @Test
  void refusalsLeaveNoNodeNoStateAndNoProcess() throws Exception {
    startSecureController("1h");

    // No credentials at all: the agent will not even try.
    DroverProcesses.Daemon bare = drover.start(agentArgs("bare", "21000-21099"));
    assertThat(bare.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bare.process().exitValue()).isEqualTo(1);
    assertThat(bare.output()).contains("has no certificate yet", "--join-token");

    // A plaintext client on the TLS port gets nothing.
    var plaintext = drover.run("nodes", "--controller", controller);
    assertThat(plaintext.exitCode()).isEqualTo(1);
    // A TLS client without a certificate or token cannot create join tokens.
    var anonymous =
        drover.run(
            "token",
            "create",
            "--controller",
            controller,
            "--ca",
            tls.resolve("ca.crt").toString());
    assertThat(anonymous.exitCode()).isEqualTo(1);
    assertThat(anonymous.stderr()).contains("UNAUTHENTICATED", "client certificate");

    assertRefusedAtJoin("unknown", "drv1_nosuchtoken", fingerprint, "UNAUTHENTICATED", "not known");

    Instant asked = Instant.now();
    String expiring = token("1s", 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Instant.now().isAfter(asked.plusMillis(1500)));
    assertRefusedAtJoin("late", expiring, fingerprint, "expired");

    String wrongPin = "00".repeat(32);
    String good = token("10m", 1);
    assertRefusedAtJoin("pinned", good, wrongPin, "not the pinned");

    // The token survived the refusals above (nothing was stored); it works once, not twice.
    DroverProcesses.Daemon first =
        drover.start(
            agentArgs(
                "first", "21100-21199", "--join-token", good, "--ca-fingerprint", fingerprint));
    await().atMost(Duration.ofSeconds(60)).until(() -> nodeNames().contains("first"));
    assertRefusedAtJoin("second", good, fingerprint, "used up");

    // A certificate of another CA, with the right CA pinned so that the agent trusts the
    // controller: the controller refuses it at connect.
    CertificateAuthority other =
        CertificateAuthority.create("impostor", KeyPairs.Algorithm.EC_P256, Duration.ofDays(1));
    Path forged = dir.resolve("forged");
    Files.createDirectories(forged.resolve("tls"));
    String forgedId = java.util.UUID.randomUUID().toString();
    Files.writeString(forged.resolve("node-id"), forgedId + "\n");
    KeyPair pair = KeyPairs.generate();
    Pem.writePrivate(forged.resolve("tls/node.key"), pair);
    Pem.writePublic(
        forged.resolve("tls/node.crt"),
        Pem.encode(other.issueNode(KeyPairs.csr(pair, forgedId), forgedId, Duration.ofDays(1))));
    Files.copy(tls.resolve("ca.crt"), forged.resolve("tls/ca.crt"));
    DroverProcesses.Daemon impostor = drover.start(agentArgs("forged", "21200-21299"));
    awaitOutput(impostor, "not issued by this cluster's CA");
    assertThat(nodeNames()).doesNotContain("forged");
    impostor.process().destroy();

    // The joined node's own credentials, but a hello naming another node: refused.
    Path firstTls = dir.resolve("first").resolve("tls");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(firstTls.resolve("node.key"))))
        .isEqualTo("rw-------");
    Status spoofed = helloWith(firstTls, "someone-else");
    assertThat(spoofed.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(spoofed.getDescription()).contains("someone-else");
    // And no certificate at all on Connect.
    assertThat(helloWith(null, "anyone").getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    // Removed: its certificate is revoked; it cannot come back with it.
    var removed = admin("node", "remove", "first");
    assertThat(removed.exitCode()).as(removed.stderr()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> !nodeNames().contains("first"));
    await().atMost(Duration.ofSeconds(30)).until(() -> first.output().contains("is revoked"));
    Status revoked = helloWith(firstTls, nodeIdOf("first"));
    assertThat(revoked.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(revoked.getDescription()).contains("revoked");
    // The revoked agent keeps trying; it stays out.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> nodeNames().isEmpty());
  }

  private static void awaitOutput(DroverProcesses.Daemon daemon, String text) {
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> daemon.output().contains(text));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no '" + text + "' in:\n" + daemon.output(), e);
    }
  }

  private String nodeIdOf(String name) throws Exception {
    return Files.readString(dir.resolve(name).resolve("node-id")).trim();
  }

  /** Opens AgentGateway.Connect with the node credentials in {@code tlsDir} (none if null). */
  private Status helloWith(Path tlsDir, String nodeId) throws Exception {
    SslContextBuilder ssl =
        SslContextBuilder.forClient()
            .trustManager(Pem.certificate(Pem.read(tls.resolve("ca.crt"))));
    if (tlsDir != null) {
      ssl.keyManager(
          Pem.privateKey(Pem.read(tlsDir.resolve("node.key"))),
          Pem.certificate(Pem.read(tlsDir.resolve("node.crt"))));
    }
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(controller)
            .sslContext(GrpcSslContexts.configure(ssl).build())
            .build();
    try {
      CompletableFuture<Status> ended = new CompletableFuture<>();
      StreamObserver<AgentMessage> requests =
          AgentGatewayGrpc.newStub(channel)
              .connect(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ControllerMessage value) {
                      if (value.hasWelcome()) {
                        ended.complete(Status.OK);
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      ended.complete(Status.OK);
                    }
                  });
      requests.onNext(
          AgentMessage.newBuilder()
              .setHello(Hello.newBuilder().setNodeId(nodeId).setNodeName("spoof"))
              .build());
      return ended.get(20, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void anAgentJoinsRunsAnInstanceAndRenewsWithoutDroppingIt() throws Exception {
    startSecureController("24s");
    String token = token("10m", 2);
    DroverProcesses.Daemon one =
        drover.start(
            agentArgs(
                "one", "21300-21399", "--join-token", token, "--ca-fingerprint", fingerprint));
    DroverProcesses.Daemon two =
        drover.start(
            agentArgs(
                "two", "21400-21499", "--join-token", token, "--ca-fingerprint", fingerprint));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> nodeNames().containsAll(List.of("one", "two")));
    for (String name : List.of("one", "two")) {
      Path key = dir.resolve(name).resolve("tls").resolve("node.key");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
          .isEqualTo("rw-------");
    }

    Path apply = dir.resolve("hello.yaml");
    Files.writeString(
        apply,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 1, max: 2, initial: 1}
            ports: [http]
            systemProperties: {hello.peersEndpoint: "true"}
        """
            .formatted(TestCluster.EXAMPLES));
    var applied = admin("apply", apply.toString());
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    JsonNode instance =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  JsonNode all = JSON.readTree(admin("instances", "--output", "json").stdout());
                  return all.size() == 1 && all.get(0).get("state").asText().equals("READY")
                      ? all.get(0)
                      : null;
                },
                i -> i != null);
    ProcessHandle.of(instance.get("pid").asLong()).ifPresent(cleanup::register);
    int port = instance.get("ports").get(0).get("port").asInt();
    HttpClient http = HttpClient.newHttpClient();
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .startsWith("hello from");
    // The container finds services through its agent: with mutual TLS and access control on, it
    // holds no credentials, and the agent's node certificate may read endpoints.
    String instanceId = instance.get("id").asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/peers?service=hello"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body(),
            (instanceId + "\n")::equals);

    // 24 s certificates renew at about 16 s (+-2.4 s): both agents renew, at different times,
    // and neither drops its session or its instance.
    await()
        .atMost(Duration.ofSeconds(40))
        .until(
            () ->
                one.output().contains("node certificate renewed")
                    && two.output().contains("node certificate renewed"));
    Instant firstExpiry = firstCertificatesEnd();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Instant.now().isAfter(firstExpiry.plusSeconds(1)));
    JsonNode after = JSON.readTree(admin("instances", "--output", "json").stdout());
    assertThat(after.size()).isEqualTo(1);
    assertThat(after.get(0).get("pid").asLong()).isEqualTo(instance.get("pid").asLong());
    assertThat(after.get(0).get("restarts").asInt()).isZero();
    assertThat(after.get(0).get("state").asText()).isEqualTo("READY");
    JsonNode nodes = nodes();
    for (JsonNode node : nodes) {
      assertThat(node.get("state").asText()).isEqualTo("READY");
    }
    assertThat(one.output()).doesNotContain("still unreachable");
    assertThat(two.output()).doesNotContain("still unreachable");
    var events = admin("events", "--output", "json");
    assertThat(JSON.readTree(events.stdout()).findValuesAsText("kind"))
        .contains("NODE_CERTIFICATE_ISSUED", "NODE_CERTIFICATE_RENEWED")
        .doesNotContain("NODE_DISCONNECTED");
  }

  /** When the last of the certificates issued at the join ends ("... valid until INSTANT"). */
  private Instant firstCertificatesEnd() throws Exception {
    var events = admin("events", "--output", "json");
    Instant last = Instant.EPOCH;
    for (JsonNode event : JSON.readTree(events.stdout())) {
      if (event.get("kind").asText().equals("NODE_CERTIFICATE_ISSUED")) {
        String message = event.get("message").asText();
        Instant end = Instant.parse(message.substring(message.lastIndexOf(' ') + 1));
        last = end.isAfter(last) ? end : last;
      }
    }
    assertThat(last).as("certificates issued at the join").isAfter(Instant.EPOCH);
    return last;
  }
}
