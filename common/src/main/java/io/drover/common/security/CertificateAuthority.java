package io.drover.common.security;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The cluster's certificate authority: a self-signed CA certificate and its key, which issue the
 * controller's server certificate and every node's client certificate. A node certificate carries
 * its node id as subject {@code CN} and as SAN URI {@code urn:drover:node:ID}, which is what the
 * controller trusts, never a field a client sends.
 */
public final class CertificateAuthority {
  /** File names inside a TLS directory, as {@code drover tls init} writes them. */
  public static final String CA_CERT = "ca.crt";

  public static final String CA_KEY = "ca.key";
  public static final String SERVER_CERT = "controller.crt";
  public static final String SERVER_KEY = "controller.key";

  public static final String ADMIN_CERT = "admin.crt";
  public static final String ADMIN_KEY = "admin.key";

  private static final String NODE_URI = "urn:drover:node:";
  private static final String ADMIN_URI = "urn:drover:admin:";
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A new self-signed CA named {@code name}, valid for {@code validity}. */
  public static CertificateAuthority create(
      String name, KeyPairs.Algorithm algorithm, Duration validity) {
    KeyPair pair = KeyPairs.generate(algorithm);
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(),
                  Date.from(now.minus(Duration.ofMinutes(5))),
                  Date.from(now.plus(validity)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the CA certificate", e);
    }
  }

  /** Reads {@code ca.crt} and {@code ca.key} from the directory. */
  public static CertificateAuthority load(Path dir) {
    return load(dir.resolve(CA_CERT), dir.resolve(CA_KEY));
  }

  public static CertificateAuthority load(Path certFile, Path keyFile) {
    return new CertificateAuthority(
        Pem.certificate(Pem.read(certFile)), Pem.privateKey(Pem.read(keyFile)));
  }

  /** Writes {@code ca.crt} (0644) and {@code ca.key} (0600) into the directory. */
  public void write(Path dir) {
    Pem.writePublic(dir.resolve(CA_CERT), Pem.encode(certificate));
    Pem.writePrivate(dir.resolve(CA_KEY), key);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** SHA-256 of the CA certificate's DER, lowercase hex: what agents pin. */
  public String fingerprint() {
    return Fingerprints.sha256(certificate);
  }

  /**
   * A server certificate for the controller, for the given host names and addresses plus {@code
   * localhost} and {@code 127.0.0.1}.
   */
  public X509Certificate issueServer(PublicKey publicKey, List<String> hosts, Duration validity) {
    Set<String> names = new LinkedHashSet<>(hosts);
    names.add("localhost");
    names.add("127.0.0.1");
    List<GeneralName> sans = new ArrayList<>();
    for (String host : names) {
      String h = host.trim();
      if (h.isEmpty()) {
        continue;
      }
      sans.add(
          new GeneralName(looksLikeAddress(h) ? GeneralName.iPAddress : GeneralName.dNSName, h));
    }
    return issue(
        new X500Name("CN=drover-controller"),
        publicKey,
        sans,
        validity,
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
  }

  /**
   * A client certificate for the node, from its CSR (whose signature must check out). The node id
   * comes from the caller, never from the CSR's subject.
   */
  public X509Certificate issueNode(
      PKCS10CertificationRequest csr, String nodeId, Duration validity) {
    if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
      throw new SecurityMaterialException("node id '" + nodeId + "' is not a valid id");
    }
    PublicKey publicKey = verified(csr);
    return issue(
        new X500Name("CN=" + nodeId + ",OU=node"),
        publicKey,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, NODE_URI + nodeId)),
        validity,
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth});
  }

  /**
   * A client certificate for an operator ({@code drover --ca ca.crt --cert admin.crt --key
   * admin.key token create}), which may call the controller's admin verbs.
   */
  public X509Certificate issueAdmin(PublicKey publicKey, String name, Duration validity) {
    if (name == null || !NODE_ID.matcher(name).matches()) {
      throw new SecurityMaterialException("admin name '" + name + "' is not a valid name");
    }
    return issue(
        new X500Name("CN=" + name + ",OU=admin"),
        publicKey,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, ADMIN_URI + name)),
        validity,
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth});
  }

  /** The operator name an admin certificate names; empty for any other. */
  public static Optional<String> adminName(X509Certificate certificate) {
    return uri(certificate, ADMIN_URI);
  }

  /** The node id a certificate issued by {@link #issueNode} names; empty for any other. */
  public static Optional<String> nodeId(X509Certificate certificate) {
    return uri(certificate, NODE_URI);
  }

  private static Optional<String> uri(X509Certificate certificate, String prefix) {
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans == null) {
        return Optional.empty();
      }
      for (List<?> san : sans) {
        if (((Integer) san.get(0)) == GeneralName.uniformResourceIdentifier
            && san.get(1) instanceof String uri
            && uri.startsWith(prefix)) {
          return Optional.of(uri.substring(prefix.length()));
        }
      }
      return Optional.empty();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
  }

  /** Hex of the certificate's serial number, as revocations name it. */
  public static String serial(X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }

  /** Whether the certificate was signed by this CA's key and is within its validity now. */
  public boolean issued(X509Certificate candidate) {
    try {
      candidate.verify(certificate.getPublicKey());
      candidate.checkValidity();
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static PublicKey verified(PKCS10CertificationRequest csr) {
    PublicKey publicKey;
    try {
      publicKey = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
    } catch (java.io.IOException e) {
      throw new SecurityMaterialException("the CSR's key cannot be read: " + e.getMessage(), e);
    }
    try {
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
        throw new SecurityMaterialException("the CSR's signature does not match its key");
      }
      return publicKey;
    } catch (OperatorCreationException | PKCSException e) {
      throw new SecurityMaterialException("unreadable CSR: " + e.getMessage(), e);
    }
  }

  private X509Certificate issue(
      X500Name subject,
      PublicKey publicKey,
      List<GeneralName> sans,
      Duration validity,
      KeyPurposeId[] purposes) {
    Instant now = Instant.now();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      notAfter = certificate.getNotAfter().toInstant();
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  // A little slack for clocks that disagree, small against short lifetimes.
                  Date.from(now.minus(min(Duration.ofMinutes(1), validity.dividedBy(10)))),
                  Date.from(notAfter),
                  subject,
                  publicKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(sans.toArray(new GeneralName[0])))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(certificate));
      return sign(builder, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(key)).build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static boolean looksLikeAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  /** Whether {@code dir} already holds a CA. */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(CA_CERT)) || Files.exists(dir.resolve(CA_KEY));
  }
}
