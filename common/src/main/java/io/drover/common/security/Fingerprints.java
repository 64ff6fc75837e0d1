package io.drover.common.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 fingerprints: of a certificate's DER (the CA pin), and of a join token. */
public final class Fingerprints {
  private Fingerprints() {}

  /** Lowercase hex SHA-256 of the certificate's DER encoding. */
  public static String sha256(X509Certificate certificate) {
    try {
      return sha256(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new SecurityMaterialException("cannot encode the certificate", e);
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A fingerprint as typed by an operator: lowercase, without colons, spaces or a {@code sha256:}
   * prefix.
   */
  public static String normalize(String fingerprint) {
    String f = fingerprint.trim().toLowerCase(Locale.ROOT);
    if (f.startsWith("sha256:")) {
      f = f.substring("sha256:".length());
    }
    return f.replace(":", "").replace(" ", "");
  }

  /** Compares in constant time. */
  public static boolean matches(X509Certificate certificate, String expected) {
    return MessageDigest.isEqual(
        sha256(certificate).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        normalize(expected).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
