package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.access.AccessControl;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.state.SharedDesiredState;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceStatus;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verified client certificate is an identity: its subject CN names the caller, its OU gives the
 * role. Self-signed certificates made here with the JDK's keytool; a TLS server with optional
 * client certificates, as the TLS work will serve, in front of the same interceptor.
 */
class ClientCertificateIdentityTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path dir;
  private static KeyStore server;
  private static KeyStore alice;
  private static KeyStore agent;

  private final List<AutoCloseable> open = new ArrayList<>();
  private EventJournal events;
  private int port;

  @BeforeAll
  static void makeCertificates() throws Exception {
    server = keyPair("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
    alice = keyPair("alice", "CN=alice, OU=operator, O=Drover", null);
    agent = keyPair("agent", "CN=node-1, OU=agents, O=Drover", null);
  }

  @BeforeEach
  void startTlsServer() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("alice", alice.getCertificate("alice"));
    trusted.setCertificateEntry("agent", agent.getCertificate("agent"));

    SharedDesiredState state = SharedDesiredState.open(dir.resolve("state-" + System.nanoTime()));
    open.add(state);
    events = new EventJournal(100, Clock.systemUTC());
    AccessControl access = new AccessControl(true, state, events, Clock.systemUTC());
    ControlGrpc.ControlImplBase control =
        new ControlGrpc.ControlImplBase() {
          @Override
          public void scaleService(
              ScaleServiceRequest request, StreamObserver<ServiceStatus> response) {
            response.onNext(
                ServiceStatus.newBuilder()
                    .setName(request.getService() + " by " + AccessInterceptor.caller())
                    .setDesired(request.getReplicas())
                    .build());
            response.onCompleted();
          }
        };
    Server tls =
        Grpc.newServerBuilderForPort(
                0,
                TlsServerCredentials.newBuilder()
                    .keyManager(keyManagers(server))
                    .trustManager(trustManagers(trusted))
                    .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                    .build())
            .addService(ServerInterceptors.intercept(control, new AccessInterceptor(access)))
            .build()
            .start();
    open.add(() -> tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    port = tls.getPort();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void theCnIsTheIdentityAndTheOuTheRole() throws Exception {
    ServiceStatus answer = control(alice).scaleService(scale());
    assertThat(answer.getName()).isEqualTo("hello by alice");
    assertThat(events.tail(20))
        .anyMatch(
            e ->
                e.kind() == EventKind.AUDIT
                    && e.attributes().get("identity").equals("alice")
                    && e.attributes().get("outcome").equals("OK"));
  }

  @Test
  void aCertificateWithoutARoleIsDeniedAndNoCertificateIsUnauthenticated() throws Exception {
    assertThatThrownBy(() -> control(agent).scaleService(scale()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).contains("node-1").contains("no role");
            });
    assertThatThrownBy(() -> control(null).scaleService(scale()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  private ControlGrpc.ControlBlockingStub control(KeyStore client) throws Exception {
    TlsChannelCredentials.Builder credentials =
        TlsChannelCredentials.newBuilder().trustManager(trustManagers(server));
    if (client != null) {
      credentials.keyManager(keyManagers(client));
    }
    ChannelCredentials built = credentials.build();
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, built).build();
    open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ScaleServiceRequest scale() {
    return ScaleServiceRequest.newBuilder().setService("hello").setReplicas(2).build();
  }

  private static KeyStore keyPair(String alias, String subject, String extension) throws Exception {
    Path file = dir.resolve(alias + ".p12");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                subject,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD)));
    if (extension != null) {
      command.addAll(List.of("-ext", extension));
    }
    Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor()).as(output).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static javax.net.ssl.KeyManager[] keyManagers(KeyStore store) throws Exception {
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, PASSWORD);
    return factory.getKeyManagers();
  }

  private static javax.net.ssl.TrustManager[] trustManagers(KeyStore store) throws Exception {
    KeyStore trust = store;
    if (store.isKeyEntry(store.aliases().nextElement())) {
      trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      String alias = store.aliases().nextElement();
      trust.setCertificateEntry(alias, store.getCertificate(alias));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    return factory.getTrustManagers();
  }
}
