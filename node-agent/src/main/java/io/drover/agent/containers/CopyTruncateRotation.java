package io.drover.agent.containers;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Rotates by size a file that another process keeps open and appends to, such as a container's
 * {@code jvm.out} (its real stdout and stderr, opened with {@code O_APPEND}): {@code FILE.1}
 * becomes {@code FILE.2} and so on, the content of {@code FILE} is copied to {@code FILE.1}, and
 * {@code FILE} is truncated in place. The writer is never paused or signalled and keeps its file
 * descriptor; with {@code O_APPEND} its next write lands at the new end, so no hole appears. What
 * it writes between the last copy and the truncation (microseconds) is lost.
 */
public final class CopyTruncateRotation {
  /** Copies of bytes that arrived during the copy are repeated at most this often. */
  private static final int CATCH_UP = 4;

  private CopyTruncateRotation() {}

  /** {@code FILE} after {@code generation} rotations: {@code FILE.N}, or FILE itself for 0. */
  public static Path rotated(Path file, int generation) {
    return generation == 0 ? file : file.resolveSibling(file.getFileName() + "." + generation);
  }

  /**
   * Rotates {@code file} when it is larger than {@code maxBytes}, keeping {@code files} files in
   * all (itself included, so at least 2).
   *
   * @return whether it rotated; false also for a file that does not exist
   */
  public static boolean rotateIfLarger(Path file, long maxBytes, int files) throws IOException {
    if (files < 2 || maxBytes < 1) {
      throw new IllegalArgumentException("need files >= 2 and maxBytes >= 1");
    }
    try (FileChannel current =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (current.size() <= maxBytes) {
        return false;
      }
      Files.deleteIfExists(rotated(file, files - 1));
      for (int generation = files - 2; generation >= 1; generation--) {
        Path older = rotated(file, generation);
        if (Files.exists(older)) {
          Files.move(older, rotated(file, generation + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (FileChannel copy =
          FileChannel.open(
              rotated(file, 1), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long copied = 0;
        for (int round = 0; round < CATCH_UP && copied < current.size(); round++) {
          long size = current.size();
          while (copied < size) {
            long n = current.transferTo(copied, size - copied, copy);
            if (n <= 0) {
              break;
            }
            copied += n;
          }
        }
      }
      current.truncate(0);
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    }
  }
}
