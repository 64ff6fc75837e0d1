package io.drover.controller.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.KeyPairs;
import io.drover.common.security.Pem;
import io.drover.controller.events.EventJournal;
import io.drover.controller.state.SharedDesiredState;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecurityTest {
  @TempDir Path dir;

  private final CertificateAuthority ca =
      CertificateAuthority.create("test", KeyPairs.Algorithm.EC_P256, Duration.ofDays(1));
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private SharedDesiredState state;

  @AfterEach
  void close() {
    if (state != null) {
      state.close();
    }
  }

  private ClusterSecurity open() {
    if (state != null) {
      state.close();
    }
    state = SharedDesiredState.open(dir.resolve("state"));
    return new ClusterSecurity(ca, state, new EventJournal(100, clock), clock, Duration.ofDays(30));
  }

  private static String csr() {
    return Pem.encode(KeyPairs.csr(KeyPairs.generate(), "whatever"));
  }

  private long index() {
    return state.read(s -> s.index());
  }

  @Test
  void unknownExpiredAndUsedUpTokensAreRefusedAndChangeNothing() {
    ClusterSecurity security = open();
    String token = security.createToken(Duration.ofMinutes(10), 1).token();
    long before = index();

    assertThatThrownBy(() -> security.bootstrap("drv1_unknown", csr(), "n1"))
        .isInstanceOf(UnauthenticatedException.class)
        .hasMessageContaining("not known");
    assertThat(index()).isEqualTo(before);

    security.bootstrap(token, csr(), "n1");
    long afterJoin = index();
    assertThatThrownBy(() -> security.bootstrap(token, csr(), "n2"))
        .isInstanceOf(UnauthenticatedException.class)
        .hasMessageContaining("used up");
    assertThat(index()).isEqualTo(afterJoin);

    String shortLived = security.createToken(Duration.ofSeconds(1), 5).token();
    now.set(now.get().plusSeconds(2));
    long beforeExpired = index();
    assertThatThrownBy(() -> security.bootstrap(shortLived, csr(), "n3"))
        .isInstanceOf(UnauthenticatedException.class)
        .hasMessageContaining("expired");
    assertThat(index()).isEqualTo(beforeExpired);
  }

  @Test
  void aUsedTokenStaysUsedAcrossARestartAndOnlyItsHashIsKept() throws Exception {
    ClusterSecurity security = open();
    String token = security.createToken(Duration.ofMinutes(10), 1).token();
    security.bootstrap(token, csr(), "n1");
    ClusterSecurity restarted = open();
    assertThatThrownBy(() -> restarted.bootstrap(token, csr(), "n2"))
        .isInstanceOf(UnauthenticatedException.class)
        .hasMessageContaining("used up");
    String files =
        java.nio.file.Files.walk(dir)
            .filter(java.nio.file.Files::isRegularFile)
            .map(
                p -> {
                  try {
                    return java.nio.file.Files.readString(
                        p, java.nio.charset.StandardCharsets.ISO_8859_1);
                  } catch (java.io.IOException e) {
                    return "";
                  }
                })
            .reduce("", String::concat);
    assertThat(files).doesNotContain(token).contains(ClusterSecurity.hash(token));
  }

  @Test
  void aNodeIdThatHoldsACertificateCannotBeTakenWithAToken() {
    ClusterSecurity security = open();
    String token = security.createToken(Duration.ofMinutes(10), 2).token();
    security.bootstrap(token, csr(), "n1");
    long before = index();
    assertThatThrownBy(() -> security.bootstrap(token, csr(), "n1"))
        .isInstanceOf(FailedPreconditionException.class);
    assertThat(index()).isEqualTo(before);
  }

  @Test
  void aRemovedNodesCertificatesAreRefusedEvenAfterARestartAndCannotRenew() {
    ClusterSecurity security = open();
    String token = security.createToken(Duration.ofMinutes(10), 1).token();
    X509Certificate cert = security.bootstrap(token, csr(), "n1").certificate();
    X509Certificate renewed = security.renew(cert, csr()).certificate();
    assertThat(CertificateAuthority.nodeId(renewed)).contains("n1");
    assertThat(security.refusal(cert)).isEmpty();
    assertThat(security.revokeNode("n1")).isEqualTo(2);

    ClusterSecurity restarted = open();
    assertThat(restarted.refusal(cert)).get().asString().contains("revoked");
    assertThat(restarted.refusal(renewed)).get().asString().contains("revoked");
    assertThatThrownBy(() -> restarted.renew(renewed, csr()))
        .isInstanceOf(UnauthenticatedException.class);
  }
}
