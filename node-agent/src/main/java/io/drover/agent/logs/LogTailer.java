package io.drover.agent.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Reads one container log that the container rotates by size ({@code LOG} is renamed {@code LOG.1},
 * {@code LOG.1} {@code LOG.2}, and a new {@code LOG} is started): first the last lines, then what
 * is appended, across rotations.
 *
 * <p>Files are read through channels kept open, so a file renamed or deleted by a rotation is still
 * read to its end before the next one. A rotation is noticed when {@code LOG} names another file
 * than the one being read; the files between the two are found by their file keys, so a reader that
 * fell behind by several rotations misses only the files already deleted.
 *
 * <p>Chunks end at a line end: the unfinished last line waits for its end, unless it alone fills a
 * chunk or the caller asks for it ({@link #rest()}). Not thread-safe: one reader.
 */
public final class LogTailer implements Closeable {
  /** Rotated files looked for beyond {@code LOG}; the container keeps two. */
  static final int MAX_GENERATIONS = 9;

  private static final int SCAN_BLOCK = 8192;

  private final Path file;
  private final int chunkBytes;

  /** Files older than {@link #current}, each read to its end and closed, oldest first. */
  private final Deque<FileChannel> older = new ArrayDeque<>();

  private FileChannel current;
  private Object currentKey;

  /** Bytes read but not yet returned: an unfinished line. */
  private byte[] carry = new byte[0];

  private LogTailer(Path file, int chunkBytes) {
    this.file = file;
    this.chunkBytes = chunkBytes;
  }

  /**
   * Opens {@code file} positioned at the start of its last {@code tailLines} lines, counted across
   * the rotated files too (an unfinished last line counts as one).
   *
   * @throws NoSuchFileException when {@code file} does not exist (nothing was logged yet)
   */
  public static LogTailer open(Path file, int tailLines, int chunkBytes) throws IOException {
    if (chunkBytes < 2) {
      throw new IllegalArgumentException("chunkBytes must be at least 2");
    }
    LogTailer tailer = new LogTailer(file, chunkBytes);
    try {
      tailer.positionAtTail(tailLines);
    } catch (IOException | RuntimeException e) {
      tailer.close();
      throw e;
    }
    return tailer;
  }

  /** The file this tailer reads ({@code LOG}). */
  public Path file() {
    return file;
  }

  /**
   * The next chunk of whole lines, at most {@code chunkBytes}; null when no whole line has been
   * written since. A line longer than a chunk comes in pieces.
   */
  public byte[] next() throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(chunkBytes);
    buffer.put(carry);
    carry = new byte[0];
    while (buffer.hasRemaining()) {
      FileChannel source = older.isEmpty() ? current : older.peekFirst();
      int read = source.read(buffer);
      if (read > 0) {
        continue;
      }
      if (source != current) {
        older.pollFirst().close();
      } else if (!followRotation()) {
        break;
      }
    }
    int length = buffer.position();
    byte[] bytes = buffer.array();
    int end = lastLineEnd(bytes, length);
    if (end < 0) {
      if (length < chunkBytes) {
        carry = Arrays.copyOf(bytes, length);
        return null;
      }
      end = length;
    }
    carry = Arrays.copyOfRange(bytes, end, length);
    return Arrays.copyOf(bytes, end);
  }

  /** The unfinished line read so far, if any, given up now (the log ends); empty when none. */
  public byte[] rest() {
    byte[] rest = carry;
    carry = new byte[0];
    return rest;
  }

  /**
   * Whether {@code LOG} was rotated since it was opened; if so the newer files are queued to read
   * after what is left of the current one.
   */
  private boolean followRotation() throws IOException {
    Object key = keyOf(file);
    if (key == null || key.equals(currentKey)) {
      return false;
    }
    // Newest first: LOG, LOG.1, ...; the files newer than the one being read are to be read next.
    List<Path> newer = new ArrayList<>();
    newer.add(file);
    for (int generation = 1; generation <= MAX_GENERATIONS; generation++) {
      Path rotated = rotated(file, generation);
      Object rotatedKey = keyOf(rotated);
      if (rotatedKey == null || rotatedKey.equals(currentKey)) {
        break;
      }
      newer.add(rotated);
    }
    FileChannel next = openOrNull(file);
    if (next == null) {
      // Renamed away and not yet created again: read on when it is.
      return false;
    }
    older.addLast(current);
    for (int i = newer.size() - 1; i > 0; i--) {
      FileChannel channel = openOrNull(newer.get(i));
      if (channel != null) {
        older.addLast(channel);
      }
    }
    current = next;
    currentKey = key;
    return true;
  }

  private void positionAtTail(int tailLines) throws IOException {
    current = FileChannel.open(file, StandardOpenOption.READ);
    currentKey = keyOf(file);
    // Newest first, each with the size it had when the scan began.
    List<FileChannel> files = new ArrayList<>();
    files.add(current);
    for (int generation = 1; generation <= MAX_GENERATIONS; generation++) {
      FileChannel channel = openOrNull(rotated(file, generation));
      if (channel == null) {
        break;
      }
      files.add(channel);
    }
    long[] sizes = new long[files.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = files.get(i).size();
    }
    int startFile = 0;
    long startOffset = sizes[0];
    if (tailLines > 0) {
      LineScan scan = new LineScan(tailLines);
      startFile = files.size() - 1;
      startOffset = 0;
      for (int i = 0; i < files.size(); i++) {
        long offset = scan.find(files.get(i), sizes[i]);
        if (offset >= 0) {
          startFile = i;
          startOffset = offset;
          break;
        }
      }
    }
    for (int i = files.size() - 1; i > startFile; i--) {
      files.get(i).close();
    }
    for (int i = startFile; i >= 1; i--) {
      FileChannel channel = files.get(i);
      channel.position(i == startFile ? startOffset : 0);
      older.addLast(channel);
    }
    current.position(startFile == 0 ? startOffset : 0);
  }

  /**
   * Scans files backwards, newest first, for the start of the last {@code lines} lines. A newline
   * at the very end of the newest file ends the last line and does not start another.
   */
  private static final class LineScan {
    private int newlinesToPass;
    private boolean atEnd = true;

    LineScan(int lines) {
      this.newlinesToPass = lines;
    }

    /** The offset where the tail begins in this file, or -1 to look in the older one. */
    long find(FileChannel channel, long size) throws IOException {
      ByteBuffer block = ByteBuffer.allocate(SCAN_BLOCK);
      long position = size;
      while (position > 0) {
        int length = (int) Math.min(SCAN_BLOCK, position);
        position -= length;
        block.clear().limit(length);
        int read = 0;
        while (read < length) {
          int n = channel.read(block, position + read);
          if (n < 0) {
            break;
          }
          read += n;
        }
        for (int i = read - 1; i >= 0; i--) {
          if (block.get(i) != '\n') {
            atEnd = false;
            continue;
          }
          if (atEnd) {
            atEnd = false;
            continue;
          }
          if (--newlinesToPass == 0) {
            return position + i + 1;
          }
        }
      }
      return -1;
    }
  }

  private static int lastLineEnd(byte[] bytes, int length) {
    for (int i = length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i + 1;
      }
    }
    return -1;
  }

  static Path rotated(Path file, int generation) {
    return generation == 0 ? file : file.resolveSibling(file.getFileName() + "." + generation);
  }

  private static Object keyOf(Path path) throws IOException {
    try {
      return Objects.requireNonNullElse(
          Files.readAttributes(path, BasicFileAttributes.class).fileKey(), path);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static FileChannel openOrNull(Path path) throws IOException {
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public void close() {
    for (FileChannel channel : older) {
      closeQuietly(channel);
    }
    older.clear();
    if (current != null) {
      closeQuietly(current);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Read-only: nothing to lose.
    }
  }
}
