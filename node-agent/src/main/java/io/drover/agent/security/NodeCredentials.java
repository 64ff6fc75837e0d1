package io.drover.agent.security;

import io.drover.common.security.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The node's key, certificate and the pinned cluster CA, kept in {@code DATADIR/tls}: {@code
 * node.key} (mode 0600), {@code node.crt} and {@code ca.crt}.
 */
public record NodeCredentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
  public static final String DIR = "tls";
  public static final String KEY = "node.key";
  public static final String CERT = "node.crt";
  public static final String CA = "ca.crt";

  /** The credentials in the data dir, if an earlier join stored them. */
  public static Optional<NodeCredentials> load(Path dataDir) {
    Path dir = dataDir.resolve(DIR);
    finishStore(dir);
    if (!Files.exists(dir.resolve(KEY))
        || !Files.exists(dir.resolve(CERT))
        || !Files.exists(dir.resolve(CA))) {
      return Optional.empty();
    }
    return Optional.of(
        new NodeCredentials(
            Pem.privateKey(Pem.read(dir.resolve(KEY))),
            Pem.certificate(Pem.read(dir.resolve(CERT))),
            Pem.certificate(Pem.read(dir.resolve(CA)))));
  }

  /**
   * Stores them so that a crash never leaves a key with a certificate that does not fit it: the new
   * pair is written aside ({@code .next}), then moved in place, key first; {@link #load} finishes a
   * move a crash interrupted.
   */
  public void store(Path dataDir) {
    Path dir = dataDir.resolve(DIR);
    Pem.writePublic(dir.resolve(CA), Pem.encode(ca));
    Pem.writePrivate(dir.resolve(KEY + NEXT), key);
    Pem.writePublic(dir.resolve(CERT + NEXT), Pem.encode(certificate));
    finishStore(dir);
  }

  private static final String NEXT = ".next";

  private static void finishStore(Path dir) {
    Path keyNext = dir.resolve(KEY + NEXT);
    Path certNext = dir.resolve(CERT + NEXT);
    try {
      if (Files.exists(keyNext) && !Files.exists(certNext)) {
        // The crash came before the pair was complete: the old pair stays.
        Files.delete(keyNext);
        return;
      }
      if (Files.exists(keyNext)) {
        Files.move(
            keyNext,
            dir.resolve(KEY),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
      if (Files.exists(certNext)) {
        Files.move(
            certNext,
            dir.resolve(CERT),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the node certificate in " + dir, e);
    }
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /**
   * When to renew: at about 2/3 of the certificate's life, moved by up to a tenth of the life
   * either way at random, so that nodes that joined together do not renew together.
   */
  public Instant renewAt() {
    Instant notBefore = certificate.getNotBefore().toInstant();
    long life = Duration.between(notBefore, notAfter()).toMillis();
    long jitter = ThreadLocalRandom.current().nextLong(-life / 10, life / 10 + 1);
    return notBefore.plusMillis(life * 2 / 3 + jitter);
  }
}
