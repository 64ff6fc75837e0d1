package io.drover.agent.identity;

import io.drover.common.errors.FailedPreconditionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per data dir: the agent holds a lock on {@code DATA_DIR/agent.lock} while it runs. Two
 * agents on one data dir would both adopt the same containers and answer on the same socket. The
 * operating system releases the lock when the process ends, however it ends, so a killed agent
 * leaves nothing to clean up.
 */
public final class DataDirLock implements AutoCloseable {
  static final String FILE = "agent.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, or fails at once naming the agent that holds it.
   *
   * @throws FailedPreconditionException if another agent uses the data dir
   */
  public static DataDirLock acquire(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    FileChannel channel = null;
    try {
      Files.createDirectories(dataDir);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        channel.close();
        throw new FailedPreconditionException(
            "another agent"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + " uses the data dir "
                + dataDir
                + "; each agent needs its own");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      return new DataDirLock(channel, lock);
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // Reporting the first problem is enough.
        }
      }
      throw new UncheckedIOException("cannot lock the data dir " + dataDir + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The lock goes with the process in any case.
    }
  }
}
