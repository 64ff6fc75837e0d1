package io.drover.provider.docker;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA and the certificates it signs, for the Docker daemon's mutual TLS as {@code dockerd
 * --tlsverify} sets it up: the server's for 127.0.0.1, and a client's written as {@code ca.pem},
 * {@code cert.pem} and {@code key.pem} into a DOCKER_CERT_PATH directory.
 */
final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(1);
  private static final char[] PASSWORD = "test".toCharArray();

  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestCertificates(String name) throws Exception {
    caKeys = keys();
    ca = sign(new X500Name("CN=" + name), caKeys, caKeys, true, false);
  }

  static TestCertificates newCa(String name) throws Exception {
    return new TestCertificates(name);
  }

  /** The daemon's side: its certificate for 127.0.0.1, and clients must show one of this CA. */
  SSLContext serverRequiringClientCertificates() throws Exception {
    KeyPair keys = keys();
    X509Certificate cert = sign(new X500Name("CN=127.0.0.1"), keys, caKeys, false, true);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", keys.getPrivate(), PASSWORD, new Certificate[] {cert, ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  /** A client certificate of this CA in {@code dir}, as the docker command expects it. */
  Path writeClientCertPath(Path dir, TestCertificates trusted) throws Exception {
    Files.createDirectories(dir);
    KeyPair keys = keys();
    X509Certificate cert = sign(new X500Name("CN=drover-controller"), keys, caKeys, false, false);
    pem(dir.resolve("ca.pem"), trusted.ca);
    pem(dir.resolve("cert.pem"), cert);
    pem(dir.resolve("key.pem"), keys.getPrivate());
    return dir;
  }

  private static void pem(Path file, Object object) throws Exception {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    }
  }

  private static KeyPair keys() throws Exception {
    // RSA, as docker's own tooling makes them; docker-java reads RSA keys in PKCS#1 PEM.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private X509Certificate sign(
      X500Name subject, KeyPair subjectKeys, KeyPair issuerKeys, boolean isCa, boolean forLoopback)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            // A CA here is self-signed; everything else is issued by this CA.
            isCa ? subject : new X500Name(ca.getSubjectX500Principal().getName()),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (forLoopback) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
  }
}
