package io.drover.container;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file that rotates by size inside the JVM: {@code LOG} is written until the next write would
 * pass {@code maxBytes}; then {@code LOG.1} becomes {@code LOG.2}, {@code LOG} becomes {@code
 * LOG.1}, and a new {@code LOG} is started. So at most {@code files} files are kept, none larger
 * than {@code maxBytes} (a longer write is split across files).
 *
 * <p>The container writes the service's output here itself rather than through a pipe to the agent,
 * so that an agent that dies or restarts neither blocks nor kills the service.
 */
public final class RotatingFileOutputStream extends OutputStream {
  private final Path path;
  private final long maxBytes;
  private final int files;
  private FileOutputStream out;
  private long size;
  private boolean closed;

  /**
   * @param files how many files to keep, the current one included (at least 1)
   */
  public RotatingFileOutputStream(Path path, long maxBytes, int files) throws IOException {
    if (maxBytes < 1 || files < 1) {
      throw new IllegalArgumentException("need maxBytes >= 1 and files >= 1");
    }
    this.path = path;
    this.maxBytes = maxBytes;
    this.files = files;
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    open();
  }

  public Path path() {
    return path;
  }

  /** The file that {@code LOG} becomes after {@code generation} rotations ({@code LOG.N}). */
  public static Path rotated(Path path, int generation) {
    return generation == 0 ? path : path.resolveSibling(path.getFileName() + "." + generation);
  }

  @Override
  public synchronized void write(int b) throws IOException {
    ensureOpen();
    if (size + 1 > maxBytes) {
      rotate();
    }
    out.write(b);
    size++;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    while (len > 0) {
      if (size >= maxBytes || (size > 0 && size + len > maxBytes && len <= maxBytes)) {
        // Keep a write that fits in one file whole; split only what could never fit.
        rotate();
      }
      int chunk = (int) Math.min(len, maxBytes - size);
      out.write(b, off, chunk);
      size += chunk;
      off += chunk;
      len -= chunk;
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    if (!closed) {
      out.flush();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(path + " is closed");
    }
  }

  private void open() throws IOException {
    out = new FileOutputStream(path.toFile(), true);
    size = out.getChannel().size();
  }

  private void rotate() throws IOException {
    out.close();
    if (files == 1) {
      Files.deleteIfExists(path);
    } else {
      Files.deleteIfExists(rotated(path, files - 1));
      for (int generation = files - 2; generation >= 0; generation--) {
        Path from = rotated(path, generation);
        if (Files.exists(from)) {
          Files.move(from, rotated(path, generation + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    open();
  }
}
