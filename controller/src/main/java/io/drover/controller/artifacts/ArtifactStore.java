package io.drover.controller.artifacts;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.ResourceExhaustedException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Jars stored by their sha256 in the controller's data dir: {@code SHA256.jar} with a small {@code
 * SHA256.properties} beside it. An upload is written to a temporary file while it is hashed, and
 * becomes visible only when complete and matching the hash it announced.
 */
public final class ArtifactStore {
  private static final String SHA256 = "[0-9a-f]{64}";

  private final Path dir;
  private final long maxBytes;
  private final Clock clock;
  private final java.util.function.Consumer<ArtifactInfo> indexed;

  public ArtifactStore(Path dir, long maxBytes, Clock clock) {
    this(dir, maxBytes, clock, info -> {});
  }

  /**
   * @param indexed told of every jar once it is stored, to record it in the artifact index
   */
  public ArtifactStore(
      Path dir, long maxBytes, Clock clock, java.util.function.Consumer<ArtifactInfo> indexed) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.indexed = indexed;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the artifact store " + dir, e);
    }
  }

  public Optional<Path> find(String sha256) {
    if (!sha256.matches(SHA256)) {
      return Optional.empty();
    }
    Path jar = dir.resolve(sha256 + ".jar");
    return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
  }

  public Optional<ArtifactInfo> info(String sha256) {
    return find(sha256)
        .map(
            jar -> {
              Properties p = new Properties();
              try (var in =
                  Files.newBufferedReader(
                      dir.resolve(sha256 + ".properties"), StandardCharsets.UTF_8)) {
                p.load(in);
                return new ArtifactInfo(
                    sha256,
                    Files.size(jar),
                    p.getProperty("name", ""),
                    Instant.ofEpochMilli(Long.parseLong(p.getProperty("storedAtMs", "0"))));
              } catch (IOException | NumberFormatException e) {
                return new ArtifactInfo(sha256, jar.toFile().length(), "", Instant.EPOCH);
              }
            });
  }

  /**
   * Starts an upload.
   *
   * @param expectedSha256 lowercase hex, or empty to accept whatever arrives
   */
  public Upload begin(String name, long sizeBytes, String expectedSha256) {
    if (!expectedSha256.isEmpty() && !expectedSha256.matches(SHA256)) {
      throw new InvalidArgumentException(
          "header.sha256", "'" + expectedSha256 + "' is not 64 lowercase hex digits");
    }
    if (sizeBytes > maxBytes) {
      throw new ResourceExhaustedException(
          "artifact " + name + " is " + sizeBytes + " bytes; the limit is " + maxBytes);
    }
    if (name.length() > 256) {
      throw new InvalidArgumentException("header.name", "longer than 256 characters");
    }
    return new Upload(name, expectedSha256);
  }

  /** One upload in progress; not thread-safe. */
  public final class Upload implements AutoCloseable {
    private final String name;
    private final String expected;
    private final Path partial;
    private final OutputStream out;
    private final MessageDigest digest;
    private long written;

    private Upload(String name, String expected) {
      this.name = name;
      this.expected = expected;
      this.partial = dir.resolve("upload-" + UUID.randomUUID() + ".part");
      try {
        this.out = Files.newOutputStream(partial);
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write to the artifact store " + dir, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    public void write(byte[] data) {
      written += data.length;
      if (written > maxBytes) {
        throw new ResourceExhaustedException(
            "artifact " + name + " exceeds the limit of " + maxBytes + " bytes");
      }
      digest.update(data);
      try {
        out.write(data);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write artifact " + name, e);
      }
    }

    /** Checks the hash and stores the jar; a jar already stored is kept as it is. */
    public ArtifactInfo finish() {
      try {
        out.close();
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!expected.isEmpty() && !expected.equals(actual)) {
          throw new InvalidArgumentException(
              "artifact",
              name + " has sha256 " + actual + ", not the " + expected + " it was pushed with");
        }
        Path jar = dir.resolve(actual + ".jar");
        if (!Files.exists(jar)) {
          Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE);
          Properties p = new Properties();
          p.setProperty("name", name);
          p.setProperty("storedAtMs", Long.toString(clock.millis()));
          try (var w =
              Files.newBufferedWriter(
                  dir.resolve(actual + ".properties"), StandardCharsets.UTF_8)) {
            p.store(w, "drover artifact");
          }
        }
        ArtifactInfo info = info(actual).orElseThrow();
        indexed.accept(info);
        return info;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot store artifact " + name, e);
      } finally {
        close();
      }
    }

    @Override
    public void close() {
      try {
        out.close();
        // After a successful finish the file was moved; otherwise it is an abandoned upload.
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // A leftover .part file holds nothing anyone refers to.
      }
    }
  }
}
