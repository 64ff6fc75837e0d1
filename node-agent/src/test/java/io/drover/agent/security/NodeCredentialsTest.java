package io.drover.agent.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.security.CertificateAuthority;
import io.drover.common.security.KeyPairs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LongSummaryStatistics;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCredentialsTest {
  @TempDir Path dir;

  private final CertificateAuthority ca =
      CertificateAuthority.create("test", KeyPairs.Algorithm.EC_P256, Duration.ofDays(365));

  private NodeCredentials issue(Duration life) {
    KeyPair pair = KeyPairs.generate();
    X509Certificate cert = ca.issueNode(KeyPairs.csr(pair, "n"), "n1", life);
    return new NodeCredentials(pair.getPrivate(), cert, ca.certificate());
  }

  @Test
  void renewalsOfAFleetAreSpreadAroundTwoThirdsOfTheLife() {
    NodeCredentials credentials = issue(Duration.ofDays(30));
    Instant notBefore = credentials.certificate().getNotBefore().toInstant();
    long life = Duration.between(notBefore, credentials.notAfter()).toMillis();
    LongSummaryStatistics at =
        IntStream.range(0, 200)
            .mapToLong(i -> Duration.between(notBefore, credentials.renewAt()).toMillis())
            .summaryStatistics();
    // Within 2/3 +- 1/10 of the life, and not all at once: spread over most of that window.
    assertThat(at.getMin()).isGreaterThanOrEqualTo(life * 2 / 3 - life / 10);
    assertThat(at.getMax()).isLessThanOrEqualTo(life * 2 / 3 + life / 10 + 1);
    assertThat(at.getMax() - at.getMin()).isGreaterThan(life / 10);
  }

  @Test
  void storedCredentialsLoadBackWithTheKeyMode0600() throws Exception {
    NodeCredentials credentials = issue(Duration.ofDays(1));
    credentials.store(dir);
    Path key = dir.resolve("tls").resolve("node.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    NodeCredentials loaded = NodeCredentials.load(dir).orElseThrow();
    assertThat(loaded.certificate()).isEqualTo(credentials.certificate());
    assertThat(loaded.key().getEncoded()).isEqualTo(credentials.key().getEncoded());
    assertThat(loaded.ca()).isEqualTo(ca.certificate());
  }

  @Test
  void aStoreCutShortLeavesTheOldPairInPlace() throws Exception {
    NodeCredentials old = issue(Duration.ofDays(1));
    old.store(dir);
    // A crash after the new key was written aside but before its certificate was.
    Files.writeString(dir.resolve("tls").resolve("node.key.next"), "half");
    NodeCredentials loaded = NodeCredentials.load(dir).orElseThrow();
    assertThat(loaded.certificate()).isEqualTo(old.certificate());
    assertThat(dir.resolve("tls").resolve("node.key.next")).doesNotExist();
  }
}
