package io.drover.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @TempDir Path dir;

  private final CertificateAuthority ca =
      CertificateAuthority.create("test CA", KeyPairs.Algorithm.EC_P256, Duration.ofDays(1));

  @Test
  void aNodeCertificateCarriesTheGivenNodeIdNotTheCsrSubject() {
    KeyPair pair = KeyPairs.generate();
    PKCS10CertificationRequest csr = KeyPairs.csr(pair, "i-claim-to-be-another-node");
    X509Certificate cert = ca.issueNode(csr, "node-1", Duration.ofHours(1));

    assertThat(CertificateAuthority.nodeId(cert)).contains("node-1");
    assertThat(CertificateAuthority.adminName(cert)).isEmpty();
    assertThat(cert.getPublicKey()).isEqualTo(pair.getPublic());
    assertThat(ca.issued(cert)).isTrue();
    assertThat(cert.getNotAfter().getTime() - System.currentTimeMillis())
        .isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());
  }

  @Test
  void aCertificateOfAnotherCaIsNotIssuedByThisOne() {
    CertificateAuthority other =
        CertificateAuthority.create("other", KeyPairs.Algorithm.EC_P256, Duration.ofDays(1));
    KeyPair pair = KeyPairs.generate();
    X509Certificate foreign =
        other.issueNode(KeyPairs.csr(pair, "n"), "node-1", Duration.ofHours(1));
    assertThat(ca.issued(foreign)).isFalse();
  }

  @Test
  void aCsrSignedByAnotherKeyIsRefused() throws Exception {
    KeyPair pair = KeyPairs.generate();
    KeyPair other = KeyPairs.generate();
    // The CSR names pair's public key but is signed with other's private key.
    PKCS10CertificationRequest forged =
        new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=x"), pair.getPublic())
            .build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                    .build(other.getPrivate()));
    assertThatThrownBy(() -> ca.issueNode(forged, "node-1", Duration.ofHours(1)))
        .isInstanceOf(SecurityMaterialException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void theServerCertificateNamesTheHostsAndLoopback() throws Exception {
    KeyPair pair = KeyPairs.generate(KeyPairs.Algorithm.RSA_3072);
    X509Certificate cert =
        ca.issueServer(
            pair.getPublic(), List.of("ctl.example.com", "10.0.0.5"), Duration.ofDays(1));
    assertThat(cert.getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList())
        .containsExactlyInAnyOrder("ctl.example.com", "10.0.0.5", "localhost", "127.0.0.1");
  }

  @Test
  void filesRoundTripAndKeysAreMode0600() throws Exception {
    ca.write(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    CertificateAuthority loaded = CertificateAuthority.load(dir);
    assertThat(loaded.fingerprint()).isEqualTo(ca.fingerprint());
    KeyPair pair = KeyPairs.generate();
    X509Certificate cert = loaded.issueNode(KeyPairs.csr(pair, "n"), "n", Duration.ofHours(1));
    assertThat(ca.issued(cert)).isTrue();
  }

  @Test
  void theFingerprintIsTheSha256OfTheDerAndTolerantOfHowItIsTyped() throws Exception {
    String expected =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded()));
    assertThat(ca.fingerprint()).isEqualTo(expected);
    String colons = expected.toUpperCase().replaceAll("(..)(?!$)", "$1:");
    assertThat(Fingerprints.matches(ca.certificate(), colons)).isTrue();
    assertThat(Fingerprints.matches(ca.certificate(), "sha256:" + expected)).isTrue();
    assertThat(Fingerprints.matches(ca.certificate(), "00".repeat(32))).isFalse();
  }
}
