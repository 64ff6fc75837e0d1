package io.drover.controller.grpc;

import io.drover.common.errors.UnauthenticatedException;
import io.drover.common.security.CertificateAuthority;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's TLS identity in the gRPC context: the node certificate it presented, if the
 * cluster accepts it, or why not. Services that need a node ({@code AgentGateway.Connect}, {@code
 * Join.Renew}) call {@link #requireNode()}.
 */
final class ClientCertificateInterceptor implements ServerInterceptor {
  /** What is known of a caller. {@code tls} is false on a plaintext (dev) port. */
  record Caller(boolean tls, Optional<X509Certificate> certificate, Optional<String> refusal) {}

  private static final Context.Key<Caller> CALLER = Context.key("drover-caller");
  private static final Caller PLAINTEXT = new Caller(false, Optional.empty(), Optional.empty());

  private final Function<X509Certificate, Optional<String>> refusal;

  ClientCertificateInterceptor(Function<X509Certificate, Optional<String>> refusal) {
    this.refusal = refusal;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Caller caller;
    if (session == null) {
      caller = PLAINTEXT;
    } else {
      caller = new Caller(true, Optional.empty(), Optional.empty());
      try {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
          Optional<String> problem = refusal.apply(leaf);
          caller =
              problem.isPresent()
                  ? new Caller(true, Optional.empty(), problem)
                  : new Caller(true, Optional.of(leaf), Optional.empty());
        }
      } catch (SSLPeerUnverifiedException e) {
        // No client certificate: fine for the calls that do not need one.
      }
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
  }

  /** The caller, as seen by the current call. */
  static Caller caller() {
    Caller caller = CALLER.get();
    return caller == null ? PLAINTEXT : caller;
  }

  /**
   * The caller's accepted node certificate; empty on a plaintext (dev) port, where no one has one.
   *
   * @throws UnauthenticatedException on a TLS port when the caller has no accepted certificate
   */
  static Optional<X509Certificate> requireNode() {
    Caller caller = caller();
    if (!caller.tls()) {
      return Optional.empty();
    }
    if (caller.certificate().isPresent()) {
      if (CertificateAuthority.nodeId(caller.certificate().get()).isEmpty()) {
        throw new UnauthenticatedException(
            "the client certificate is not a node certificate; agents join with a join token");
      }
      return caller.certificate();
    }
    throw new UnauthenticatedException(
        caller
            .refusal()
            .orElse(
                "no client certificate: agents connect with a node certificate of the cluster"
                    + " CA; join first with --join-token and --ca-fingerprint"));
  }
}
