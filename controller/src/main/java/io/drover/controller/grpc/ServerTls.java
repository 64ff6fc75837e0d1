package io.drover.controller.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.net.Socket;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS on the controller's gRPC port: its server certificate, and a client certificate that is
 * optional at the handshake (a joining agent has none yet) but checked by {@link
 * ClientCertificateInterceptor} on every call, so that a refused one gets UNAUTHENTICATED with the
 * reason rather than a failed handshake.
 *
 * @param refusal why a presented client certificate is not accepted; empty when it is
 */
public record ServerTls(
    X509Certificate ca,
    PrivateKey key,
    List<X509Certificate> chain,
    Function<X509Certificate, Optional<String>> refusal) {

  SslContext sslContext() {
    try {
      return GrpcSslContexts.configure(
              SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                  .clientAuth(ClientAuth.OPTIONAL)
                  .trustManager(new CheckedLater(ca)))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Lets any client certificate through the handshake (whose proof of key possession TLS itself
   * checks); the interceptor decides whether it names a node. Never used to check a server.
   */
  private static final class CheckedLater extends X509ExtendedTrustManager {
    private final X509Certificate ca;

    CheckedLater(X509Certificate ca) {
      this.ca = ca;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("the controller does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("the controller does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("the controller does not check servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      // Sent in the certificate request, so that a client picks a certificate of this CA.
      return new X509Certificate[] {ca};
    }
  }
}
