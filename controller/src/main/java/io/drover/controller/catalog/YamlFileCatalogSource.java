package io.drover.controller.catalog;

import io.drover.common.errors.UnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The catalog in a YAML file.
 *
 * <p>Watching reads the file every second and compares its bytes, rather than using a {@code
 * WatchService}: polling sees every way a file changes (written in place, replaced by rename as
 * editors do, a symlink swapped as Kubernetes does with ConfigMaps, a network file system) and
 * costs a read of at most 1 MiB a second. A change is acted on only once two reads in a row agree,
 * so that a file caught half-written is not reported as broken.
 */
public final class YamlFileCatalogSource implements CatalogSource {
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final Path file;
  private final Duration pollInterval;
  private volatile Catalog lastReturned;
  private Poller poller;
  private boolean closed;

  public YamlFileCatalogSource(Path file) {
    this(file, POLL_INTERVAL);
  }

  /** With a shorter interval, for tests. */
  YamlFileCatalogSource(Path file, Duration pollInterval) {
    this.file = file.toAbsolutePath().normalize();
    this.pollInterval = pollInterval;
  }

  @Override
  public String describe() {
    return "file " + file;
  }

  @Override
  public Catalog load() {
    Catalog catalog = parse(read());
    lastReturned = catalog;
    return catalog;
  }

  @Override
  public Catalog apply(String yaml, String name) {
    Catalog catalog = CatalogParser.parse(name, yaml);
    write(yaml);
    lastReturned = catalog;
    return catalog;
  }

  @Override
  public synchronized void watch(CatalogListener listener) {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
    if (poller != null) {
      throw new IllegalStateException(describe() + " is already watched");
    }
    ChangeNotifier notifier =
        new ChangeNotifier(describe(), listener, Optional.ofNullable(lastReturned));
    poller = new Poller("drover-catalog-file", pollInterval, new Check(notifier));
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (poller != null) {
      poller.close();
    }
  }

  /** The file's text, or why there is none. */
  private record Content(String text, CatalogException problem) {
    String fingerprint() {
      return text != null ? sha256(text) : String.join("\n", problem.problems());
    }
  }

  private Content read() {
    try {
      long size = Files.size(file);
      if (size > CatalogRules.MAX_SOURCE_BYTES) {
        return new Content(
            null,
            new CatalogException(
                file
                    + ": "
                    + size
                    + " bytes; a catalog holds at most 1 MiB ("
                    + CatalogRules.MAX_SOURCE_BYTES
                    + " bytes)"));
      }
      byte[] bytes = Files.readAllBytes(file);
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      // Some editors start UTF-8 files with a byte order mark; it is not part of the YAML.
      return new Content(text.startsWith("\uFEFF") ? text.substring(1) : text, null);
    } catch (NoSuchFileException e) {
      return new Content(null, new CatalogException(file + ": file not found"));
    } catch (CharacterCodingException e) {
      return new Content(null, new CatalogException(file + ": not UTF-8 text"));
    } catch (IOException e) {
      return new Content(null, new CatalogException(file + ": cannot read: " + e.getMessage()));
    }
  }

  private Catalog parse(Content content) {
    if (content.problem() != null) {
      throw content.problem();
    }
    return CatalogParser.parse(file.toString(), content.text());
  }

  /**
   * Temp file in the same directory, flushed to disk, then renamed over the catalog: readers see
   * the old file or the new one, never a part of either, even if the controller dies meanwhile.
   */
  private void write(String yaml) {
    Path target = file;
    Path temp = null;
    try {
      if (Files.isSymbolicLink(file)) {
        target = file.toRealPath();
      }
      temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(yaml.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      keepPermissions(target, temp);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new UnavailableException(
            describe() + ": cannot replace the file atomically: " + e.getMessage(), e);
      }
      temp = null;
    } catch (IOException e) {
      throw new UnavailableException(describe() + ": cannot write: " + e, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // The write failed already; a stray temp file is the lesser problem.
        }
      }
    }
  }

  /** A temp file is created private; the catalog keeps the permissions the operator gave it. */
  private static void keepPermissions(Path original, Path replacement) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(original, PosixFileAttributeView.class);
    if (view != null && Files.exists(original)) {
      Files.setPosixFilePermissions(replacement, view.readAttributes().permissions());
    }
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** One tick of the watcher. Runs on the poller's thread only. */
  private final class Check implements Runnable {
    private final ChangeNotifier notifier;
    private String acted;
    private String pending;

    Check(ChangeNotifier notifier) {
      this.notifier = notifier;
    }

    @Override
    public void run() {
      Content content = read();
      String fingerprint = content.fingerprint();
      if (fingerprint.equals(acted)) {
        pending = null;
        return;
      }
      if (!fingerprint.equals(pending)) {
        pending = fingerprint;
        return;
      }
      acted = fingerprint;
      pending = null;
      try {
        notifier.observed(parse(content));
      } catch (CatalogException e) {
        notifier.observed(e);
      }
    }
  }
}
