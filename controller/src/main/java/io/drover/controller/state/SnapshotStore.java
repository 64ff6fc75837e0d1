package io.drover.controller.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Snapshots of a state machine, one file each, named by the log index they are as of ({@code
 * 00000000000000000041.snapshot}):
 *
 * <pre>"DRSN" | version (int32, 1) | index (int64) | length (int32) | crc32c (int32) | payload
 * </pre>
 *
 * big-endian, the CRC covering every byte but its own. A snapshot is written to a temporary file,
 * synced, renamed into place and the directory synced, so a crash leaves either the old set of
 * snapshots or the new one. The newest {@code keep} are kept.
 *
 * <p>Not thread-safe: one thread owns the store.
 */
public final class SnapshotStore {
  /** Two, so that a corrupt newest snapshot has one to fall back on. */
  public static final int DEFAULT_KEEP = 2;

  static final int HEADER_BYTES = 24;
  private static final int MAGIC = 0x4452534E; // "DRSN"
  private static final int VERSION = 1;
  private static final Pattern NAME = Pattern.compile("(\\d{20})\\.snapshot");

  /** A snapshot as read back: the state as of log index {@code index}. */
  public record Snapshot(long index, byte[] payload) {}

  private final Path dir;
  private final int keep;

  /** Opens the store in {@code dir}, creating it, and deletes what interrupted writes left. */
  public SnapshotStore(Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep: " + keep + " is less than 1");
    }
    this.dir = dir;
    this.keep = keep;
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.snapshot.tmp")) {
        for (Path file : files) {
          Files.delete(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot: cannot open " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The file name of the snapshot as of {@code index}. */
  public static String fileName(long index) {
    return String.format("%020d.snapshot", index);
  }

  /** The indexes of the snapshots present, newest first; corrupt ones included. */
  public List<Long> indexes() {
    List<Long> indexes = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.snapshot")) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          indexes.add(Long.parseLong(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot: cannot list " + dir, e);
    }
    indexes.sort(Comparator.reverseOrder());
    return indexes;
  }

  /**
   * Stores the state as of {@code index} durably, then deletes all but the newest {@code keep}
   * snapshots.
   */
  public void write(long index, byte[] payload) {
    Path file = dir.resolve(fileName(index));
    Path tmp = dir.resolve(fileName(index) + ".tmp");
    ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    buffer.putInt(MAGIC).putInt(VERSION).putLong(index).putInt(payload.length).putInt(0);
    buffer.put(payload);
    buffer.putInt(20, crc(buffer.array()));
    buffer.flip();
    try {
      try (FileChannel channel =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Fsync.directory(dir);
      List<Long> present = indexes();
      for (long old : present.subList(Math.min(keep, present.size()), present.size())) {
        Files.delete(dir.resolve(fileName(old)));
      }
      if (present.size() > keep) {
        Fsync.directory(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot: cannot write " + file.getFileName(), e);
    }
  }

  /**
   * Reads the snapshot as of {@code index}.
   *
   * @throws CorruptStateException naming the file if it is corrupt
   */
  public Snapshot read(long index) {
    String name = fileName(index);
    byte[] data;
    try {
      data = Files.readAllBytes(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot: cannot read " + name, e);
    }
    String problem = problem(data, index);
    if (problem != null) {
      throw new CorruptStateException("snapshot: " + name + " is corrupt (" + problem + ")");
    }
    byte[] payload = new byte[data.length - HEADER_BYTES];
    System.arraycopy(data, HEADER_BYTES, payload, 0, payload.length);
    return new Snapshot(index, payload);
  }

  /**
   * Renames a corrupt snapshot to {@code *.snapshot.corrupt}: out of the rotation, kept for a
   * person to look at. Returns the new file name.
   */
  public String setAside(long index) {
    String name = fileName(index) + ".corrupt";
    try {
      Files.move(
          dir.resolve(fileName(index)), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      Fsync.directory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot: cannot set aside " + fileName(index), e);
    }
    return name;
  }

  private static String problem(byte[] data, long index) {
    if (data.length < HEADER_BYTES) {
      return "a short header: " + data.length + " of " + HEADER_BYTES + " bytes";
    }
    ByteBuffer buffer = ByteBuffer.wrap(data);
    if (buffer.getInt(0) != MAGIC) {
      return "not a snapshot file";
    }
    if (buffer.getInt(4) != VERSION) {
      return "format version " + buffer.getInt(4) + " is not known";
    }
    int length = buffer.getInt(16);
    if (length != data.length - HEADER_BYTES) {
      return "a payload of "
          + (data.length - HEADER_BYTES)
          + " bytes where "
          + length
          + " were due";
    }
    if (crc(data) != buffer.getInt(20)) {
      return "a checksum mismatch";
    }
    if (buffer.getLong(8) != index) {
      return "it holds index " + buffer.getLong(8);
    }
    return null;
  }

  private static int crc(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data, 0, 20);
    crc.update(data, HEADER_BYTES, data.length - HEADER_BYTES);
    return (int) crc.getValue();
  }
}
