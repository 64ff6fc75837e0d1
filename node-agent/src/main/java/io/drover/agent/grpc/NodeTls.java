package io.drover.agent.grpc;

import io.drover.agent.security.NodeCredentials;
import io.drover.common.Version;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.common.errors.UnavailableException;
import io.drover.common.net.HostPort;
import io.drover.common.security.Fingerprints;
import io.drover.common.security.KeyPairs;
import io.drover.common.security.Pem;
import io.drover.v1.BootstrapRequest;
import io.drover.v1.GetCaRequest;
import io.drover.v1.JoinGrpc;
import io.drover.v1.NodeCertificate;
import io.drover.v1.RenewRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The agent's TLS: joining with a token (the controller's CA checked against the pinned fingerprint
 * before the token leaves), the client context that presents the node certificate and trusts only
 * the pinned CA, and renewal. A renewed certificate is used from the next handshake on; the open
 * stream stays as it is.
 */
public final class NodeTls {
  private final AtomicReference<NodeCredentials> current;
  private final Optional<String> serverName;

  /**
   * @param serverName the name the controller's certificate is checked against, when not the host
   *     the agent dials
   */
  public NodeTls(NodeCredentials credentials, Optional<String> serverName) {
    this.current = new AtomicReference<>(credentials);
    this.serverName = serverName;
  }

  /** A channel to the controller, checking its certificate against the expected name. */
  public NettyChannelBuilder channelTo(HostPort controller) {
    return named(NettyChannelBuilder.forAddress(controller.host(), controller.port()), serverName)
        .sslContext(sslContext());
  }

  private static NettyChannelBuilder named(
      NettyChannelBuilder builder, Optional<String> serverName) {
    serverName.ifPresent(builder::overrideAuthority);
    return builder;
  }

  public NodeCredentials credentials() {
    return current.get();
  }

  /** From now on, handshakes present these. */
  public void use(NodeCredentials credentials) {
    current.set(credentials);
  }

  /** Client context: the current node certificate, and only the pinned CA as trust. */
  public SslContext sslContext() {
    try {
      return GrpcSslContexts.configure(
              SslContextBuilder.forClient()
                  .keyManager(new CurrentKey())
                  .trustManager(trusting(current.get().ca())))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Joins the cluster: fetches the CA, checks it against {@code fingerprint}, then, on a connection
   * that trusts only that CA, trades the token and a CSR for a node certificate.
   *
   * @throws UnauthenticatedException when the controller refuses the token or its CA does not match
   *     the fingerprint
   * @throws UnavailableException when the controller cannot be reached
   */
  public static NodeCredentials join(
      HostPort controller,
      String token,
      String fingerprint,
      String nodeId,
      Optional<String> serverName) {
    X509Certificate ca = fetchCa(controller);
    if (!Fingerprints.matches(ca, fingerprint)) {
      throw new UnauthenticatedException(
          "the controller at "
              + controller
              + " has a CA with fingerprint "
              + Fingerprints.sha256(ca)
              + ", not the pinned "
              + Fingerprints.normalize(fingerprint)
              + ": refusing to join it");
    }
    KeyPair pair = KeyPairs.generate();
    ManagedChannel channel;
    try {
      channel =
          named(NettyChannelBuilder.forAddress(controller.host(), controller.port()), serverName)
              .sslContext(
                  GrpcSslContexts.configure(
                          SslContextBuilder.forClient().trustManager(trusting(ca)))
                      .build())
              .userAgent("drover-agent/" + Version.current())
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    try {
      NodeCertificate answer =
          JoinGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .bootstrap(
                  BootstrapRequest.newBuilder()
                      .setToken(token)
                      .setNodeId(nodeId)
                      .setCsrPem(Pem.encode(KeyPairs.csr(pair, nodeId)))
                      .build());
      return credentials(pair.getPrivate(), answer, ca);
    } catch (StatusRuntimeException e) {
      throw refused("join", controller, e);
    } finally {
      channel.shutdownNow();
    }
  }

  /** A fresh key and certificate, asked for on the mutual-TLS channel of the link. */
  public NodeCredentials renew(ManagedChannel channel) {
    NodeCredentials now = current.get();
    KeyPair pair = KeyPairs.generate();
    NodeCertificate answer =
        JoinGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .renew(
                RenewRequest.newBuilder()
                    .setCsrPem(Pem.encode(KeyPairs.csr(pair, "renewal")))
                    .build());
    return credentials(pair.getPrivate(), answer, now.ca());
  }

  private static NodeCredentials credentials(
      PrivateKey key, NodeCertificate answer, X509Certificate pinned) {
    X509Certificate certificate = Pem.certificate(answer.getCertificatePem());
    try {
      certificate.verify(pinned.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new UnauthenticatedException(
          "the certificate the controller issued was not signed by the pinned CA");
    }
    return new NodeCredentials(key, certificate, pinned);
  }

  /**
   * The CA certificate, read over a connection that checks nothing: it is public, and trusted only
   * once its fingerprint matches; nothing secret is sent on that connection.
   */
  private static X509Certificate fetchCa(HostPort controller) {
    ManagedChannel channel;
    try {
      channel =
          NettyChannelBuilder.forAddress(controller.host(), controller.port())
              .sslContext(
                  GrpcSslContexts.configure(
                          SslContextBuilder.forClient().trustManager(new AnyServer()))
                      .build())
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    try {
      return Pem.certificate(
          JoinGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .getCa(GetCaRequest.getDefaultInstance())
              .getCaCertificatePem());
    } catch (StatusRuntimeException e) {
      throw refused("fetch the CA from", controller, e);
    } finally {
      channel.shutdownNow();
    }
  }

  private static RuntimeException refused(
      String what, HostPort controller, StatusRuntimeException e) {
    Status status = e.getStatus();
    String message =
        "cannot "
            + what
            + " the controller at "
            + controller
            + ": "
            + status.getCode()
            + (status.getDescription() == null ? "" : " " + status.getDescription());
    if (status.getCode() == Status.Code.UNAVAILABLE
        || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return new UnavailableException(message, e);
    }
    return new UnauthenticatedException(message);
  }

  private static X509ExtendedTrustManager trusting(X509Certificate ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("drover-ca", ca);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot trust the cluster CA", e);
    }
  }

  /** Presents whatever credentials are current at each handshake. */
  private final class CurrentKey extends X509ExtendedKeyManager {
    private static final String ALIAS = "node";

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return new X509Certificate[] {current.get().certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return current.get().key();
    }
  }

  /** Only for reading the public CA certificate before it can be checked; see fetchCa. */
  private static final class AnyServer extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
