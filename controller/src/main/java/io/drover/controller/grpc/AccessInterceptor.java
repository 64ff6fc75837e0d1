package io.drover.controller.grpc;

import io.drover.common.grpc.StatusMapping;
import io.drover.controller.access.AccessControl;
import io.drover.controller.access.Credentials;
import io.drover.controller.access.Identity;
import io.drover.controller.access.MethodRoles;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the caller's credentials (an {@code authorization: Bearer} header, or the client
 * certificate of a TLS connection) and lets {@link AccessControl} decide; a refused call ends with
 * UNAUTHENTICATED or PERMISSION_DENIED before its handler runs. Mutating calls, refused or not,
 * leave an audit event with their outcome.
 */
final class AccessInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The caller of the current call, for handlers that record who asked. */
  static final Context.Key<Identity> IDENTITY = Context.key("drover-identity");

  private final AccessControl access;

  AccessInterceptor(AccessControl access) {
    this.access = access;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean mutating = MethodRoles.of(method).map(MethodRoles.Rule::mutating).orElse(true);
    String peer = peer(call);
    Optional<Identity> identity;
    try {
      identity = access.authorize(method, credentials(call, headers), peer);
    } catch (RuntimeException e) {
      call.close(StatusMapping.toStatus(e), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (identity.isEmpty()) {
      return next.startCall(call, headers);
    }
    Context context = Context.current().withValue(IDENTITY, identity.get());
    if (!mutating) {
      return Contexts.interceptCall(context, call, headers, next);
    }
    String who = identity.get().name();
    return Contexts.interceptCall(
        context,
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            access.audit(
                who,
                method,
                status.isOk()
                    ? "OK"
                    : status.getCode()
                        + (status.getDescription() == null ? "" : ": " + status.getDescription()),
                peer);
            super.close(status, trailers);
          }
        },
        headers,
        next);
  }

  /** Who makes the current call: "ci (operator, token)"; "anonymous" without access control. */
  static String caller() {
    Identity identity = IDENTITY.get();
    return identity == null ? "anonymous" : identity.name();
  }

  /** Read after the certificate check, which says whether a node certificate is accepted. */
  static Credentials credentials(ServerCall<?, ?> call, Metadata headers) {
    return new Credentials(
        bearer(headers),
        certificateSubject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)),
        ClientCertificateInterceptor.caller()
            .certificate()
            .flatMap(io.drover.common.security.CertificateAuthority::nodeId));
  }

  static Optional<String> bearer(Metadata headers) {
    String value = headers.get(AUTHORIZATION);
    if (value == null) {
      return Optional.empty();
    }
    String trimmed = value.trim();
    if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = trimmed.substring(7).trim();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    return Optional.empty();
  }

  /**
   * The subject of the peer's certificate, when the connection is TLS and the client sent one that
   * the server's trust manager verified (the handshake fails otherwise).
   */
  static Optional<String> certificateSubject(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x509) {
        return Optional.of(x509.getSubjectX500Principal().getName());
      }
    } catch (SSLPeerUnverifiedException e) {
      // TLS without a client certificate
    }
    return Optional.empty();
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return String.valueOf(remote);
  }
}
