package io.drover.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import io.drover.provider.docker.DockerEngineEmulator.Call;
import io.drover.provider.docker.DockerEngineEmulator.EmulatedContainer;
import io.drover.provider.testing.ServerProviderContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The provider contract and the Docker-only behaviour, against {@link DockerEngineEmulator}. */
class DockerServerProviderTest extends ServerProviderContract {
  private static final String CLUSTER = "blue";
  private static final String CONTROLLER = "10.0.0.10:7400";

  @TempDir Path dataDir;
  private DockerEngineEmulator engine;

  @BeforeEach
  void startEngine() throws IOException {
    engine = closeAfterTest(DockerEngineEmulator.start());
  }

  // ---- the contract's hooks ----

  @Override
  protected ServerProvider newProvider() throws ProviderException {
    return create(settings());
  }

  @Override
  protected Set<String> liveServerIds() {
    return engine.containers().stream()
        .filter(c -> CLUSTER.equals(c.labels().get("drover.cluster")))
        .map(c -> c.id)
        .collect(Collectors.toSet());
  }

  @Override
  protected void refuseCreationAfter(int created) {
    engine.containerLimit(engine.containers().size() + created);
  }

  @Override
  protected void clearFaults() {
    engine.refuseAll(false);
    engine.throttle(0);
    engine.containerLimit(Integer.MAX_VALUE);
  }

  @Override
  protected String quotaMessage() {
    return DockerEngineEmulator.FULL_MESSAGE;
  }

  @Override
  protected boolean throttle(int times) {
    engine.throttle(times);
    return true;
  }

  @Override
  protected String throttleMessage() {
    return DockerEngineEmulator.THROTTLE_MESSAGE;
  }

  @Override
  protected int throttledCalls() {
    return engine.throttledAnswers();
  }

  @Override
  protected boolean refuseCredentials() {
    engine.refuseAll(true);
    return true;
  }

  @Override
  protected String authMessage() {
    return DockerEngineEmulator.AUTH_MESSAGE;
  }

  private Map<String, String> settings() {
    Map<String, String> s = new HashMap<>();
    s.put("host", engine.host());
    s.put("image", "drover/agent:0.1.0");
    s.put("ports", "21000-21399");
    s.put("maxServers", "4");
    s.put("retryBaseDelay", "20ms");
    s.put("apiTimeout", "10s");
    return s;
  }

  private ServerProvider create(Map<String, String> settings) throws ProviderException {
    return track(
        new DockerProviderFactory()
            .create(new ProviderContext(CONTROLLER, dataDir, settings, CLUSTER)));
  }

  private ServerProvider createWith(String key, String value) throws ProviderException {
    Map<String, String> s = settings();
    s.put(key, value);
    return create(s);
  }

  // ---- provision ----

  @Test
  void aServerIsARunningAgentContainerWithLabelsEnvironmentAndItsPublishedPorts() throws Exception {
    Map<String, String> s = settings();
    s.put("joinToken", "s3cret");
    s.put("caFingerprint", "ab".repeat(32));
    s.put("network", "drover-net");
    ServerProvider p = create(s);

    List<Server> servers = p.provision(request(2));

    Server first = servers.get(0);
    assertThat(first.nodeName()).matches("docker-[0-9a-f]{8}");
    EmulatedContainer c = engine.container(first.id()).orElseThrow();
    assertThat(c.state()).isEqualTo("running");
    assertThat(c.name).isEqualTo(first.nodeName());
    assertThat(c.image).isEqualTo("drover/agent:0.1.0");
    assertThat(c.labels())
        .containsEntry("drover.cluster", CLUSTER)
        .containsEntry("drover.node", first.nodeName())
        .containsEntry("drover.managed", "true")
        .containsEntry("drover.ports", "21000-21099")
        .containsEntry("drover.reason", "contract test");
    // The request's token wins over the configured one: the controller minted it.
    assertThat(c.env())
        .containsExactlyInAnyOrder(
            "DROVER_CONTROLLER=" + CONTROLLER,
            "DROVER_NAME=" + first.nodeName(),
            "DROVER_JOIN_TOKEN=token-123",
            "DROVER_CA_FINGERPRINT=" + "cd".repeat(32),
            "DROVER_PORTS=21000-21099",
            "DROVER_ADVERTISE_ADDRESS=127.0.0.1");
    assertThat(c.hostPorts()).hasSize(100);
    assertThat(c.hostPorts().first()).isEqualTo(21000);
    assertThat(c.hostPorts().last()).isEqualTo(21099);
    assertThat(engine.container(servers.get(1).id()).orElseThrow().hostPorts().first())
        .isEqualTo(21100);
    assertThat(first.details()).containsEntry("ports", "21000-21099");
    assertThat(engine.calls()).allSatisfy(call -> assertThat(call.apiVersion()).isEqualTo("1.41"));
  }

  @Test
  void theConfiguredTokenIsUsedWhenTheRequestHasNone() throws Exception {
    Path tokenFile = Files.writeString(dataDir.resolve("token"), "from-file\n");
    Map<String, String> s = settings();
    s.put("joinTokenFile", tokenFile.toString());
    ServerProvider p = create(s);

    Server server = p.provision(new ProvisionRequest(1, 512, 500, "", "", "")).get(0);

    assertThat(engine.container(server.id()).orElseThrow().env())
        .contains("DROVER_JOIN_TOKEN=from-file")
        .noneMatch(e -> e.startsWith("DROVER_CA_FINGERPRINT="));
    assertThat(engine.container(server.id()).orElseThrow().labels())
        .doesNotContainKey("drover.reason");
  }

  @Test
  void aReleasedServersPortSliceIsReused() throws Exception {
    List<Server> servers = provider().provision(request(2));
    provider().release(servers.get(0));

    Server next = provider().provision(request(1)).get(0);

    assertThat(engine.container(next.id()).orElseThrow().labels())
        .containsEntry("drover.ports", "21000-21099");
  }

  @Test
  void maxServersIsAQuotaCheckedBeforeAnyCreation() throws Exception {
    ServerProvider p = createWith("maxServers", "2");
    p.provision(request(1));

    ProviderException e = failure(() -> p.provision(request(2)));

    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .isEqualTo(
            "provider.docker.maxServers is 2: cluster blue has 1 servers and 2 more were asked"
                + " for");
    assertThat(engine.calls("POST", "/containers/create")).hasSize(1);
  }

  @Test
  void aContainerThatCannotStartIsRemovedAndTheEnginesMessageKept() throws Exception {
    engine.seed("squatter", Map.of(), "running");
    // The squatter holds no ports; give it the first slice's first port as a real one would.
    engine.container(engine.containers().get(0).id).orElseThrow().hostPorts().add(21000);

    ProviderException e = failure(() -> provider().provision(request(1)));

    assertThat(e.kind()).isEqualTo(Kind.QUOTA);
    assertThat(e.getMessage())
        .startsWith("docker start: driver failed programming external connectivity")
        .contains("Bind for 0.0.0.0:21000 failed: port is already allocated (HTTP 500)")
        .contains("; removed the 1 of the 1 requested servers already created");
    assertThat(liveServerIds()).isEmpty();
  }

  // ---- list and release ----

  @Test
  void listFindsOnlyThisClustersManagedContainersRunningOrNot() throws Exception {
    engine.seed("green", Map.of("drover.cluster", "green", "drover.managed", "true"), "running");
    engine.seed("plain", Map.of(), "running");
    engine.seed(
        "unmanaged", Map.of("drover.cluster", CLUSTER, "drover.managed", "false"), "running");
    String exited =
        engine.seed(
            "old",
            Map.of(
                "drover.cluster", CLUSTER,
                "drover.managed", "true",
                "drover.node", "docker-0000",
                "drover.ports", "21300-21399"),
            "exited");
    List<Server> provisioned = provider().provision(request(1));

    List<Server> listed = provider().list();

    assertThat(listed)
        .extracting(Server::id)
        .containsExactlyInAnyOrder(provisioned.get(0).id(), exited);
    assertThat(listed)
        .filteredOn(s -> s.id().equals(exited))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.nodeName()).isEqualTo("docker-0000");
              assertThat(s.details()).containsEntry("state", "exited");
            });
    Call list = engine.calls("GET", "/containers/json").get(0);
    assertThat(list.query()).containsEntry("all", "true");
    assertThat(list.query().get("filters"))
        .contains("drover.cluster=blue")
        .contains("drover.managed=true");
  }

  @Test
  void releaseStopsThenRemovesAndAGoneContainerIsNoError() throws Exception {
    Server server = provider().provision(request(1)).get(0);

    provider().release(server);
    provider().release(server);

    assertThat(engine.container(server.id())).isEmpty();
    assertThat(engine.calls("POST", "/containers/" + server.id() + "/stop")).hasSize(2);
    assertThat(engine.calls("DELETE", "/containers/" + server.id()))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.query()).containsEntry("force", "true"));
  }

  // ---- errors ----

  @Test
  void throttledCallsAreRetriedWithGrowingPauses() throws Exception {
    engine.throttle(3);
    long started = System.nanoTime();

    provider().list();

    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(engine.calls("GET", "/containers/json")).hasSize(4);
    // Jittered between half and all of 20, 40 and 80 ms: at least 70 ms in all.
    assertThat(elapsedMs).isGreaterThanOrEqualTo(70);
  }

  @Test
  void anUnreachableHostIsUnavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ServerProvider p = createWith("host", "tcp://127.0.0.1:" + port);

    ProviderException e = failure(p::list);

    assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
    assertThat(e.getMessage())
        .startsWith("docker list: cannot reach the Docker host tcp://127.0.0.1:" + port);
  }

  // ---- TLS ----

  @Test
  void aTlsHostIsReachedWithTheClientCertificateInCertPath() throws Exception {
    TestCertificates daemonCa = TestCertificates.newCa("docker-ca");
    DockerEngineEmulator tlsEngine =
        closeAfterTest(DockerEngineEmulator.startTls(daemonCa.serverRequiringClientCertificates()));
    Map<String, String> s = settings();
    s.put("host", tlsEngine.host());
    s.put("tlsVerify", "true");
    s.put("certPath", daemonCa.writeClientCertPath(dataDir.resolve("certs"), daemonCa).toString());
    ServerProvider p = create(s);

    Server server = p.provision(request(1)).get(0);

    assertThat(tlsEngine.container(server.id()).orElseThrow().state()).isEqualTo("running");
    p.release(server);
    assertThat(tlsEngine.containers()).isEmpty();
  }

  @Test
  void aDaemonCertificateThatCaPemDoesNotSignIsAuth() throws Exception {
    TestCertificates daemonCa = TestCertificates.newCa("docker-ca");
    TestCertificates otherCa = TestCertificates.newCa("other-ca");
    DockerEngineEmulator tlsEngine =
        closeAfterTest(DockerEngineEmulator.startTls(daemonCa.serverRequiringClientCertificates()));
    Map<String, String> s = settings();
    s.put("host", tlsEngine.host());
    s.put("tlsVerify", "true");
    // A client certificate the daemon trusts, but a ca.pem of another CA.
    s.put("certPath", daemonCa.writeClientCertPath(dataDir.resolve("other"), otherCa).toString());
    ServerProvider p = create(s);

    ProviderException e = failure(p::list);

    assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.AUTH);
    assertThat(e.getMessage()).startsWith("docker list: TLS with the Docker host tcp://127.0.0.1:");
    assertThat(tlsEngine.calls()).isEmpty();
  }

  @Test
  void aCertPathWithoutUsableCertificatesIsConfigNamingIt() throws Exception {
    Path certs = Files.createDirectories(dataDir.resolve("broken"));
    for (String file : List.of("ca.pem", "cert.pem", "key.pem")) {
      Files.writeString(certs.resolve(file), "not a PEM file\n");
    }
    Map<String, String> s = settings();
    s.put("tlsVerify", "true");
    s.put("certPath", certs.toString());

    ProviderException e = failure(() -> create(s));

    assertThat(e.kind()).isEqualTo(Kind.CONFIG);
    assertThat(e.getMessage())
        .startsWith(
            "provider.docker.certPath: cannot set up the Docker client with the certificates in "
                + certs);
  }

  // ---- settings and discovery ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "image | '' | provider.docker.image: missing",
        "host | http://docker:2375 | provider.docker.host: 'http://docker:2375' is neither",
        "tlsVerify | yes | provider.docker.tlsVerify: 'yes' is neither true nor false",
        "tlsVerify | true | provider.docker.certPath: missing: tlsVerify is on",
        "ports | 80-90 | provider.docker.ports: '80-90' must lie within 1024-65535",
        "ports | 21000-21002 | provider.docker.ports: 21000-21002 has fewer ports than maxServers 4",
        "maxServers | none | provider.docker.maxServers: 'none' is not a whole number",
        "apiVersion | 2 | provider.docker.apiVersion: '2' is not an Engine API version",
        "caFingerprint | abc | provider.docker.caFingerprint: 'abc' is not a SHA-256 in hex",
        "joinTokenFile | /nonexistent/token | provider.docker.joinTokenFile: cannot read",
        "imgae | x | provider.docker.imgae: unknown setting",
      })
  void aBadSettingIsConfigNamingItsKey(String key, String value, String expected) {
    ProviderException e = failure(() -> createWith(key, value));

    assertThat(e.kind()).isEqualTo(Kind.CONFIG);
    assertThat(e.getMessage()).contains(expected);
  }

  @Test
  void dockerHostFromTheEnvironmentIsUsedWhenTheSettingIsAbsent() throws Exception {
    Map<String, String> s = settings();
    s.remove("host");
    DockerSettings parsed =
        DockerSettings.parse(s, Map.of("DOCKER_HOST", engine.host(), "DOCKER_TLS_VERIFY", "0"));

    assertThat(parsed.host().toString()).isEqualTo(engine.host());
    assertThat(parsed.tlsVerify()).isFalse();
    assertThat(DockerSettings.parse(s, Map.of()).host().toString())
        .isEqualTo("unix:///var/run/docker.sock");
  }

  @Test
  void theFactoryIsFoundThroughServiceLoaderByKind() throws Exception {
    ServerProviderFactory factory =
        ServiceLoader.load(ServerProviderFactory.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(f -> f.kind().equals("docker"))
            .findFirst()
            .orElseThrow();

    ServerProvider p =
        track(factory.create(new ProviderContext(CONTROLLER, dataDir, settings(), CLUSTER)));
    assertThat(p.kind()).isEqualTo("docker");
    assertThat(p.list()).isEmpty();
    assertThat(p.toString()).doesNotContain("token-123");
  }
}
