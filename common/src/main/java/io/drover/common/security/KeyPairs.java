package io.drover.common.security;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Key pairs (EC P-256 by default, or RSA 3072) and certificate signing requests. */
public final class KeyPairs {
  /** The key algorithms Drover creates. */
  public enum Algorithm {
    EC_P256,
    RSA_3072;

    public static Algorithm parse(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
      if (t.equals("ec") || t.equals("ecp256") || t.equals("p256")) {
        return EC_P256;
      }
      if (t.equals("rsa") || t.equals("rsa3072")) {
        return RSA_3072;
      }
      throw new IllegalArgumentException("key algorithm '" + text + "' is not ec or rsa");
    }
  }

  private KeyPairs() {}

  public static KeyPair generate(Algorithm algorithm) {
    try {
      KeyPairGenerator generator;
      if (algorithm == Algorithm.RSA_3072) {
        generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
      } else {
        generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }

  public static KeyPair generate() {
    return generate(Algorithm.EC_P256);
  }

  /** A CSR for the key pair with subject {@code CN=commonName}, signed by its own key. */
  public static PKCS10CertificationRequest csr(KeyPair pair, String commonName) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(
              new X500Name("CN=" + commonName), pair.getPublic())
          .build(
              new JcaContentSignerBuilder(signatureAlgorithm(pair.getPrivate()))
                  .build(pair.getPrivate()));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a CSR", e);
    }
  }

  static String signatureAlgorithm(java.security.PrivateKey key) {
    return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
