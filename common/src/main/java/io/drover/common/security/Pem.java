package io.drover.common.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM text of certificates, private keys and CSRs; private key files are written mode 0600. */
public final class Pem {
  private Pem() {}

  public static String encode(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Every certificate in the text, in order. */
  public static List<X509Certificate> certificates(String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certs = new ArrayList<>();
      for (var c :
          factory.generateCertificates(
              new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new SecurityMaterialException("no certificate in the PEM text");
      }
      return certs;
    } catch (CertificateException e) {
      throw new SecurityMaterialException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  public static X509Certificate certificate(String pem) {
    return certificates(pem).get(0);
  }

  public static PrivateKey privateKey(String pem) {
    Object object = parse(pem);
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new SecurityMaterialException("unreadable private key: " + e.getMessage(), e);
    }
    throw new SecurityMaterialException("no private key in the PEM text");
  }

  public static PKCS10CertificationRequest csr(String pem) {
    Object object = parse(pem);
    if (object instanceof PKCS10CertificationRequest csr) {
      return csr;
    }
    throw new SecurityMaterialException("no certificate signing request in the PEM text");
  }

  private static Object parse(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
      Object object = parser.readObject();
      if (object == null) {
        throw new SecurityMaterialException("empty PEM text");
      }
      return object;
    } catch (IOException e) {
      throw new SecurityMaterialException("malformed PEM text: " + e.getMessage(), e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new SecurityMaterialException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a public file (certificate): mode 0644, atomically. */
  public static void writePublic(Path file, String pem) {
    write(file, pem, "rw-r--r--");
  }

  /** Writes a private key: mode 0600 from its creation, atomically. */
  public static void writePrivate(Path file, PrivateKey key) {
    write(file, encodePrivate(key), "rw-------");
  }

  /** The key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which every TLS stack reads. */
  public static String encodePrivate(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  public static void writePrivate(Path file, KeyPair pair) {
    writePrivate(file, pair.getPrivate());
  }

  private static void write(Path file, String text, String mode) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
      Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
