package io.drover.controller.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * An append-only log of opaque records, numbered from 1 without gaps, kept in segment files named
 * by the index of their first record ({@code 00000000000000000001.log}). A record is framed as
 *
 * <pre>length (int32) | crc32c (int32) | index (int64) | payload (length bytes)</pre>
 *
 * big-endian, the CRC covering length, index and payload. {@link #append} returns only once the
 * record is on disk (fsync); {@link #appendAll} writes several records with one fsync.
 *
 * <p>Opening reads every record. A bad <em>last</em> record (short header, bad length, truncated
 * payload, checksum mismatch) is what a crash in the middle of an append leaves: it was never
 * acknowledged, so it is cut off (the file is truncated to the last good record) and reported
 * through {@link #tornTail()}. A bad record with a good one after it is damage, not a torn write:
 * opening fails with a {@link CorruptStateException} naming the file and offset, since skipping it
 * would silently lose the commands after it.
 *
 * <p>Not thread-safe: one thread owns the log.
 */
public final class CommandLog implements AutoCloseable {
  /** Bytes before a record's payload: length, CRC32C, index. */
  static final int HEADER_BYTES = 16;

  /** The largest payload a record may hold; a longer length in a header is damage. */
  public static final int MAX_PAYLOAD_BYTES = 16 << 20;

  /** A segment is closed and a new one started once it would grow past this. */
  public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;

  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.log");

  /** Receives records in index order. */
  @FunctionalInterface
  public interface Reader {
    void accept(long index, byte[] payload);
  }

  /**
   * The bad last record cut off at open.
   *
   * @param file the segment's file name
   * @param offset where the bad record started, now the end of the file
   * @param bytesCut how many bytes were cut off
   * @param reason what was wrong with it
   */
  public record TornTail(String file, long offset, long bytesCut, String reason) {}

  private final Path dir;
  private final long segmentBytes;

  /** First index → segment file, oldest first; the last one takes the appends. */
  private final TreeMap<Long, Path> segments;

  private final TornTail tornTail;
  private FileChannel active;
  private long activeBytes;
  private long nextIndex;

  /** Set when a write failed: what is on disk is unknown until the log is opened again. */
  private String failure;

  private boolean closed;

  private CommandLog(
      Path dir, long segmentBytes, TreeMap<Long, Path> segments, long nextIndex, TornTail torn)
      throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.segments = segments;
    this.nextIndex = nextIndex;
    this.tornTail = torn;
    Path last = segments.lastEntry().getValue();
    this.active = FileChannel.open(last, StandardOpenOption.WRITE);
    this.activeBytes = active.size();
  }

  /** Opens the log in {@code dir} (created if missing) with segments of the default size. */
  public static CommandLog open(Path dir) {
    return open(dir, DEFAULT_SEGMENT_BYTES);
  }

  /**
   * Opens the log in {@code dir}, creating it if missing, checking every record and cutting off a
   * torn last record.
   *
   * @throws CorruptStateException if a record other than the last is bad, or a segment is missing
   */
  public static CommandLog open(Path dir, long segmentBytes) {
    if (segmentBytes < HEADER_BYTES) {
      throw new IllegalArgumentException("segmentBytes: " + segmentBytes + " is too small");
    }
    try {
      Files.createDirectories(dir);
      TreeMap<Long, Path> segments = list(dir);
      if (segments.isEmpty()) {
        segments.put(1L, createSegment(dir, 1));
      }
      long expected = segments.firstKey();
      TornTail torn = null;
      for (Map.Entry<Long, Path> segment : segments.entrySet()) {
        long first = segment.getKey();
        Path file = segment.getValue();
        String name = file.getFileName().toString();
        if (first != expected) {
          throw new CorruptStateException(
              "log: "
                  + name
                  + " starts at index "
                  + first
                  + " but the segment before it ends at index "
                  + (expected - 1)
                  + "; a segment is missing or misnamed");
        }
        byte[] data = Files.readAllBytes(file);
        Scan scan = scan(data, first);
        if (scan.problem() != null) {
          boolean last = first == segments.lastKey();
          int goodAfter = nextGoodRecord(data, scan.end(), scan.next());
          if (!last || goodAfter >= 0) {
            throw new CorruptStateException(
                "log: "
                    + name
                    + " is corrupt at offset "
                    + scan.end()
                    + " ("
                    + scan.problem()
                    + " in the record for index "
                    + scan.next()
                    + ") and "
                    + (goodAfter >= 0
                        ? "a good record follows at offset " + goodAfter
                        : "later segments follow")
                    + "; refusing to open rather than drop the commands after it. Restore the"
                    + " file from a backup, or cut it at offset "
                    + scan.end()
                    + " to keep only what comes before");
          }
          truncate(file, scan.end());
          torn = new TornTail(name, scan.end(), data.length - scan.end(), scan.problem());
        }
        expected = scan.next();
      }
      return new CommandLog(dir, segmentBytes, segments, expected, torn);
    } catch (IOException e) {
      throw new UncheckedIOException("log: cannot open " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The bad last record cut off when the log was opened, if there was one. */
  public Optional<TornTail> tornTail() {
    return Optional.ofNullable(tornTail);
  }

  /** The index of the oldest record kept (or that the next append gets, if none is kept). */
  public long firstIndex() {
    return segments.firstKey();
  }

  /** The index of the newest record; 0 if nothing was ever appended. */
  public long lastIndex() {
    return nextIndex - 1;
  }

  /** Appends one record and syncs it to disk; returns its index. */
  public long append(byte[] payload) {
    return appendAll(List.of(payload));
  }

  /**
   * Appends records at consecutive indexes with one write and one sync; returns the index of the
   * last. A failed write leaves the log refusing appends until it is opened again, which cuts off
   * whatever part of the write reached the disk.
   */
  public long appendAll(List<byte[]> payloads) {
    ensureWritable();
    if (payloads.isEmpty()) {
      return lastIndex();
    }
    long total = 0;
    for (byte[] payload : payloads) {
      if (payload.length > MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException(
            "payload: " + payload.length + " bytes, more than " + MAX_PAYLOAD_BYTES);
      }
      total += HEADER_BYTES + payload.length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("payloads: " + total + " bytes in one batch");
    }
    if (activeBytes > 0 && activeBytes + total > segmentBytes) {
      startSegment();
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) total);
    long index = nextIndex;
    for (byte[] payload : payloads) {
      frame(buffer, index++, payload);
    }
    buffer.flip();
    try {
      long position = activeBytes;
      while (buffer.hasRemaining()) {
        position += active.write(buffer, position);
      }
      active.force(false);
    } catch (IOException e) {
      failure =
          "cannot write index "
              + nextIndex
              + " to "
              + segments.lastEntry().getValue().getFileName()
              + ": "
              + e.getMessage();
      throw new UncheckedIOException("log: " + failure, e);
    }
    activeBytes += total;
    nextIndex = index;
    return index - 1;
  }

  /**
   * Passes every record from {@code fromIndex} on to {@code reader}, in order.
   *
   * @throws IllegalArgumentException if records from {@code fromIndex} were dropped
   */
  public void replay(long fromIndex, Reader reader) {
    ensureOpen();
    if (fromIndex < firstIndex()) {
      throw new IllegalArgumentException(
          "fromIndex: the log starts at index " + firstIndex() + ", not " + fromIndex);
    }
    long start = segments.floorKey(fromIndex);
    for (Map.Entry<Long, Path> segment : segments.tailMap(start, true).entrySet()) {
      Path file = segment.getValue();
      byte[] data = read(file);
      ByteBuffer buffer = ByteBuffer.wrap(data);
      long index = segment.getKey();
      int position = 0;
      while (position < data.length) {
        String problem = problemAt(buffer, position, index);
        if (problem != null) {
          throw new CorruptStateException(
              "log: "
                  + file.getFileName()
                  + " changed after it was opened: "
                  + problem
                  + " at offset "
                  + position);
        }
        int length = buffer.getInt(position);
        if (index >= fromIndex) {
          int payload = position + HEADER_BYTES;
          reader.accept(index, Arrays.copyOfRange(data, payload, payload + length));
        }
        position += HEADER_BYTES + length;
        index++;
      }
    }
  }

  /**
   * Starts a new segment at the next index, unless the current one is still empty; called after a
   * snapshot, so that the segments before it can be dropped once no snapshot needs them.
   */
  public void rollOver() {
    ensureWritable();
    if (nextIndex > segments.lastKey()) {
      startSegment();
    }
  }

  /**
   * Deletes the segments whose records all have an index up to {@code index}; the segment taking
   * appends always stays. Returns how many were deleted.
   */
  public int dropThrough(long index) {
    ensureWritable();
    int dropped = 0;
    try {
      while (segments.size() > 1) {
        Map.Entry<Long, Path> oldest = segments.firstEntry();
        if (segments.higherKey(oldest.getKey()) - 1 > index) {
          break;
        }
        Files.delete(oldest.getValue());
        segments.remove(oldest.getKey());
        dropped++;
      }
      if (dropped > 0) {
        Fsync.directory(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("log: cannot delete old segments in " + dir, e);
    }
    return dropped;
  }

  /**
   * Drops every record and continues at {@code index + 1}: for a log that a snapshot at {@code
   * index} has overtaken (its newer segments were lost), so that new records follow the snapshot.
   */
  public void resetAfter(long index) {
    ensureWritable();
    if (index < lastIndex()) {
      throw new IllegalArgumentException(
          "index: " + index + " is before the log's last index " + lastIndex());
    }
    try {
      active.close();
      // Oldest first and the new segment last, so that a crash in between leaves no gap.
      for (Path file : List.copyOf(segments.values())) {
        Files.delete(file);
      }
      segments.clear();
      Fsync.directory(dir);
      nextIndex = index + 1;
      segments.put(nextIndex, createSegment(dir, nextIndex));
      active = FileChannel.open(segments.lastEntry().getValue(), StandardOpenOption.WRITE);
      activeBytes = 0;
    } catch (IOException e) {
      failure = "cannot restart at index " + (index + 1) + ": " + e.getMessage();
      throw new UncheckedIOException("log: " + failure, e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        active.close();
      } catch (IOException e) {
        throw new UncheckedIOException("log: cannot close " + dir, e);
      }
    }
  }

  // ---- segments ----

  static String segmentName(long firstIndex) {
    return String.format("%020d.log", firstIndex);
  }

  private static TreeMap<Long, Path> list(Path dir) throws IOException {
    TreeMap<Long, Path> segments = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
      for (Path file : files) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        if (m.matches()) {
          segments.put(Long.parseLong(m.group(1)), file);
        }
      }
    }
    return segments;
  }

  private static Path createSegment(Path dir, long firstIndex) throws IOException {
    Path file = Files.createFile(dir.resolve(segmentName(firstIndex)));
    Fsync.directory(dir);
    return file;
  }

  private void startSegment() {
    try {
      active.close();
      Path file = createSegment(dir, nextIndex);
      segments.put(nextIndex, file);
      active = FileChannel.open(file, StandardOpenOption.WRITE);
      activeBytes = 0;
    } catch (IOException e) {
      failure = "cannot start a segment at index " + nextIndex + ": " + e.getMessage();
      throw new UncheckedIOException("log: " + failure, e);
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
      channel.force(true);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("log: cannot read " + file.getFileName(), e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("log: closed");
    }
  }

  private void ensureWritable() {
    ensureOpen();
    if (failure != null) {
      throw new IllegalStateException(
          "log: " + failure + "; it takes no more records until it is opened again");
    }
  }

  // ---- records ----

  private static void frame(ByteBuffer buffer, long index, byte[] payload) {
    int start = buffer.position();
    buffer.putInt(payload.length).putInt(0).putLong(index).put(payload);
    buffer.putInt(start + 4, crc(buffer.array(), start, payload.length));
  }

  private static int crc(byte[] data, int position, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, position, 4);
    crc.update(data, position + 8, 8 + length);
    return (int) crc.getValue();
  }

  /** How far the good records of a segment reach, and what is wrong with the next one if any. */
  private record Scan(int end, long next, String problem) {}

  private static Scan scan(byte[] data, long firstIndex) {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    int position = 0;
    long index = firstIndex;
    while (position < data.length) {
      String problem = problemAt(buffer, position, index);
      if (problem != null) {
        return new Scan(position, index, problem);
      }
      position += HEADER_BYTES + buffer.getInt(position);
      index++;
    }
    return new Scan(position, index, null);
  }

  /** What is wrong with the record at {@code position}, expected to hold {@code index}; or null. */
  private static String problemAt(ByteBuffer data, int position, long index) {
    int remaining = data.limit() - position;
    if (remaining < HEADER_BYTES) {
      return "a short header: " + remaining + " of " + HEADER_BYTES + " bytes";
    }
    int length = data.getInt(position);
    if (length < 0 || length > MAX_PAYLOAD_BYTES) {
      return "a bad length: " + length;
    }
    if (remaining - HEADER_BYTES < length) {
      return "a truncated payload: " + (remaining - HEADER_BYTES) + " of " + length + " bytes";
    }
    if (crc(data.array(), position, length) != data.getInt(position + 4)) {
      return "a checksum mismatch";
    }
    long found = data.getLong(position + 8);
    if (found != index) {
      return "index " + found + " where " + index + " was expected";
    }
    return null;
  }

  /**
   * The offset of a good record (index {@code index} or later) anywhere after {@code from}, or -1.
   * The bad record's own length cannot be trusted, so every offset is tried.
   */
  private static int nextGoodRecord(byte[] data, int from, long index) {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    for (int p = from + 1; p + HEADER_BYTES <= data.length; p++) {
      int length = buffer.getInt(p);
      if (length >= 0
          && length <= data.length - p - HEADER_BYTES
          && buffer.getLong(p + 8) >= index
          && crc(data, p, length) == buffer.getInt(p + 4)) {
        return p;
      }
    }
    return -1;
  }
}
