package io.drover.agent.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's records of its containers: one small JSON file per container ({@code ID.json}) in a
 * directory only the agent can read (the files hold the containers' secrets). Each file is written
 * whole to a temporary file, synced and renamed over the old one, so that a crash of the agent
 * leaves either the old record or the new one, never half of one. A file that cannot be read is set
 * aside ({@code ID.json.corrupt}) with a log line naming it, and the rest are read.
 */
public final class ContainerStore {
  private static final Logger log = LoggerFactory.getLogger(ContainerStore.class);
  private static final String SUFFIX = ".json";

  private final Path dir;

  /**
   * Made on the first record read or written: Jackson's databind is some 400 classes, which an
   * agent without containers (a new node) need not load.
   */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  public ContainerStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** Every sound record; unreadable ones are set aside and logged. */
  public List<StoredContainer> load() {
    List<StoredContainer> records = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          // A write the agent did not finish: the record before it is still in place.
          Files.deleteIfExists(file);
          continue;
        }
        if (!name.endsWith(SUFFIX)) {
          continue;
        }
        StoredContainer record = read(file);
        if (record != null) {
          records.add(record);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the container records in " + dir, e);
    }
    return records;
  }

  private StoredContainer read(Path file) {
    String problem;
    try {
      StoredContainer record = Json.MAPPER.readValue(file.toFile(), StoredContainer.class);
      problem = record.problem();
      if (problem == null && !file.getFileName().toString().equals(record.containerId() + SUFFIX)) {
        problem = "it names container " + record.containerId();
      }
      if (problem == null) {
        return record;
      }
    } catch (IOException e) {
      problem = oneLine(e.getMessage());
    }
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
    log.error(
        "skipping the container record {}: it cannot be used ({}); moved to {}. The container it"
            + " described, if it still runs, is not adopted",
        file,
        problem,
        aside.getFileName());
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("cannot move {} aside: {}", file, e.getMessage());
    }
    return null;
  }

  /** Writes the record atomically: a temporary file, synced, renamed over the old one. */
  public void save(StoredContainer record) {
    try {
      ensureDir();
      byte[] bytes = Json.MAPPER.writeValueAsBytes(record);
      Path target = dir.resolve(record.containerId() + SUFFIX);
      Path tmp = dir.resolve(record.containerId() + SUFFIX + ".tmp");
      try (FileChannel out =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the record of container " + record.containerId() + " in " + dir, e);
    }
  }

  public void delete(String containerId) {
    try {
      Files.deleteIfExists(dir.resolve(containerId + SUFFIX));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot delete the record of container " + containerId + " in " + dir, e);
    }
  }

  private void ensureDir() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException notPosix) {
        // Not a POSIX file system; nothing more to restrict.
      }
    }
  }

  private static String oneLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.strip().lines().findFirst().orElse("unreadable");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
