package io.drover.controller.security;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.Fingerprints;
import io.drover.common.security.Pem;
import io.drover.common.security.SecurityMaterialException;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.state.DesiredState;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Who may join and who is a node: join tokens (kept as sha256 only, with expiry and uses), node
 * certificates issued from CSRs, their renewal and their revocation. Every decision that must
 * survive a restart is a {@link StateCommand} in the durable state; nothing is stored for a refused
 * request.
 */
public final class ClusterSecurity {
  /** What {@link #createToken} hands out, once. */
  public record CreatedToken(String token, Instant expiresAt, int uses, String caFingerprint) {}

  /** A node certificate and the CA that issued it. */
  public record IssuedCertificate(String nodeId, X509Certificate certificate, X509Certificate ca) {}

  public static final Duration MAX_TOKEN_TTL = Duration.ofDays(30);
  private static final String TOKEN_PREFIX = "drv1_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final CertificateAuthority ca;
  private final SharedDesiredState state;
  private final EventJournal events;
  private final Clock clock;
  private final Duration nodeCertLifetime;

  public ClusterSecurity(
      CertificateAuthority ca,
      SharedDesiredState state,
      EventJournal events,
      Clock clock,
      Duration nodeCertLifetime) {
    this.ca = ca;
    this.state = state;
    this.events = events;
    this.clock = clock;
    this.nodeCertLifetime = nodeCertLifetime;
  }

  public CertificateAuthority ca() {
    return ca;
  }

  /** Creates a token that allows {@code uses} joins until {@code ttl} from now. */
  public CreatedToken createToken(Duration ttl, int uses) {
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TOKEN_TTL) > 0) {
      throw new InvalidArgumentException("ttl", "must be more than 0 and at most 30 days");
    }
    if (uses < 1 || uses > 10_000) {
      throw new InvalidArgumentException("uses", uses + " is not between 1 and 10000");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant();
    Instant expiresAt = now.plus(ttl);
    state.submit(
        new StateCommand.AddJoinToken(
            hash(token), now.toEpochMilli(), expiresAt.toEpochMilli(), uses));
    events.publish(
        EventKind.JOIN_TOKEN_CREATED,
        "controller",
        "join token created for " + uses + " join(s), valid until " + expiresAt,
        Map.of("uses", Integer.toString(uses), "expiresAt", expiresAt.toString()));
    return new CreatedToken(token, expiresAt, uses, ca.fingerprint());
  }

  /**
   * Trades a join token and a CSR for a node certificate.
   *
   * @throws UnauthenticatedException for an unknown, expired or used-up token
   */
  public synchronized IssuedCertificate bootstrap(String token, String csrPem, String nodeId) {
    if (token == null || token.isBlank()) {
      throw new UnauthenticatedException("a join token is required to join");
    }
    String sha = hash(token.trim());
    Instant now = clock.instant();
    Optional<DesiredState.JoinTokenState> found = state.read(s -> s.joinToken(sha));
    if (found.isEmpty()) {
      throw new UnauthenticatedException("the join token is not known to this controller");
    }
    DesiredState.JoinTokenState t = found.get();
    if (!now.isBefore(t.expiresAt())) {
      throw new UnauthenticatedException(
          "the join token expired at " + t.expiresAt() + "; create a new one");
    }
    if (t.remaining() < 1) {
      throw new UnauthenticatedException("the join token was already used up; create a new one");
    }
    if (nodeId == null || !nodeId.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new InvalidArgumentException("node_id", "'" + nodeId + "' is not a valid node id");
    }
    List<String> current = state.read(s -> s.certificates(nodeId));
    if (!current.isEmpty()) {
      throw new FailedPreconditionException(
          "node "
              + nodeId
              + " already holds a certificate; remove it first (drover node remove "
              + nodeId
              + ") to join it again");
    }
    X509Certificate certificate = issue(csrPem, nodeId);
    // The use is recorded before the certificate leaves: a crash in between burns a use, never
    // hands out an extra one.
    state.submit(new StateCommand.UseJoinToken(sha, t.remaining() - 1));
    record(nodeId, certificate);
    events.publish(
        EventKind.NODE_CERTIFICATE_ISSUED,
        "node/" + nodeId,
        "node "
            + nodeId
            + " joined with a token; certificate valid until "
            + certificate.getNotAfter().toInstant(),
        Map.of("nodeId", nodeId, "serial", CertificateAuthority.serial(certificate)));
    return new IssuedCertificate(nodeId, certificate, ca.certificate());
  }

  /** A fresh certificate for the node whose (accepted) certificate made the call. */
  public IssuedCertificate renew(X509Certificate caller, String csrPem) {
    String nodeId = nodeIdOf(caller);
    X509Certificate certificate = issue(csrPem, nodeId);
    synchronized (this) {
      if (state.read(s -> s.revoked(CertificateAuthority.serial(caller)))) {
        throw new UnauthenticatedException("the certificate of node " + nodeId + " is revoked");
      }
      record(nodeId, certificate);
    }
    events.publish(
        EventKind.NODE_CERTIFICATE_RENEWED,
        "node/" + nodeId,
        "node "
            + nodeId
            + " renewed its certificate until "
            + certificate.getNotAfter().toInstant(),
        Map.of("nodeId", nodeId, "serial", CertificateAuthority.serial(certificate)));
    return new IssuedCertificate(nodeId, certificate, ca.certificate());
  }

  /**
   * Why a client certificate presented on a connection is not accepted: not from this CA, out of
   * its validity, or revoked. Empty when it is accepted; what it may do depends on whether it names
   * a node or an admin.
   */
  public Optional<String> refusal(X509Certificate certificate) {
    if (!ca.issued(certificate)) {
      return Optional.of(
          "the client certificate was not issued by this cluster's CA, or it expired");
    }
    String serial = CertificateAuthority.serial(certificate);
    if (state.read(s -> s.revoked(serial))) {
      return Optional.of(
          "the certificate of node "
              + CertificateAuthority.nodeId(certificate).orElse("?")
              + " is revoked");
    }
    return Optional.empty();
  }

  /** The node id of an accepted certificate. */
  public static String nodeIdOf(X509Certificate certificate) {
    return CertificateAuthority.nodeId(certificate)
        .orElseThrow(() -> new UnauthenticatedException("the client certificate names no node"));
  }

  /** How many certificates issued to the node are not revoked. */
  public int certificateCount(String nodeId) {
    return state.read(s -> s.certificates(nodeId)).size();
  }

  /** Revokes every certificate of the node; returns how many. */
  public synchronized int revokeNode(String nodeId) {
    int count = state.read(s -> s.certificates(nodeId)).size();
    state.submit(new StateCommand.RevokeNode(nodeId, clock.millis()));
    return count;
  }

  private void record(String nodeId, X509Certificate certificate) {
    state.submit(
        new StateCommand.IssueCertificate(
            nodeId,
            CertificateAuthority.serial(certificate),
            certificate.getNotAfter().toInstant().toEpochMilli()));
  }

  private X509Certificate issue(String csrPem, String nodeId) {
    PKCS10CertificationRequest request = csr(csrPem);
    try {
      return ca.issueNode(request, nodeId, nodeCertLifetime);
    } catch (SecurityMaterialException e) {
      throw new InvalidArgumentException("csr_pem", e.getMessage());
    }
  }

  private static PKCS10CertificationRequest csr(String pem) {
    try {
      return Pem.csr(pem);
    } catch (SecurityMaterialException e) {
      throw new InvalidArgumentException("csr_pem", e.getMessage());
    }
  }

  /** The sha256 (hex) under which a token is kept. */
  public static String hash(String token) {
    return Fingerprints.sha256(token.getBytes(StandardCharsets.UTF_8));
  }
}
