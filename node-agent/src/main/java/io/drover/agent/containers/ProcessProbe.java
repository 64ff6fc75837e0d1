package io.drover.agent.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the agent needs to know of a container's process when it is not (or no longer) its parent:
 * whether it still runs, whether it is the same process that was started (pid, start time and a
 * hash of its arguments, since pids are reused), and how it ended. Reads {@code /proc} where it
 * exists, since {@link ProcessHandle.Info} gives no arguments for a long command line and counts a
 * zombie as alive.
 */
final class ProcessProbe {
  private static final Path PROC = Path.of("/proc");

  /** Start times of one process read twice agree to the clock tick; this allows for rounding. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  private ProcessProbe() {}

  /** The sha256 of the arguments (without the program), as a process sees them in its argv. */
  static String argumentsSha256(List<String> arguments) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String argument : arguments) {
        digest.update(argument.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The sha256 of the running process's arguments, if they can be read. */
  static Optional<String> argumentsSha256(ProcessHandle process) {
    Path cmdline = PROC.resolve(Long.toString(process.pid())).resolve("cmdline");
    if (Files.isDirectory(PROC)) {
      try {
        byte[] raw = Files.readAllBytes(cmdline);
        if (raw.length == 0) {
          return Optional.empty();
        }
        String all = new String(raw, StandardCharsets.UTF_8);
        if (all.endsWith("\0")) {
          all = all.substring(0, all.length() - 1);
        }
        List<String> argv = Arrays.asList(all.split("\0", -1));
        return Optional.of(argumentsSha256(argv.subList(1, argv.size())));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return process.info().arguments().map(args -> argumentsSha256(Arrays.asList(args)));
  }

  static Optional<Instant> startInstant(ProcessHandle process) {
    return process.info().startInstant();
  }

  /** Whether it runs: alive and not a zombie that no one has reaped yet. */
  static boolean isRunning(ProcessHandle process) {
    return process.isAlive() && !isZombie(process.pid());
  }

  /**
   * Whether {@code pid} is the process that was recorded: it runs, started at {@code startMs}, and
   * has the arguments of {@code argumentsSha256}. Where the arguments cannot be read, the pid and
   * start time decide.
   */
  static Optional<ProcessHandle> sameProcess(long pid, long startMs, String argumentsSha256) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessProbe::isRunning);
    if (handle.isEmpty()) {
      return Optional.empty();
    }
    Optional<Instant> started = startInstant(handle.get());
    if (started.isEmpty()
        || Math.abs(started.get().toEpochMilli() - startMs) > START_TOLERANCE.toMillis()) {
      return Optional.empty();
    }
    Optional<String> hash = argumentsSha256(handle.get());
    if (hash.isPresent() && !hash.get().equals(argumentsSha256)) {
      return Optional.empty();
    }
    return handle;
  }

  /**
   * The exit code of a zombie (as a shell shows it: the code, or 128 + the signal), read from
   * {@code /proc/PID/stat}; empty for a process that runs, is gone, or where {@code /proc} says
   * nothing.
   */
  static OptionalInt zombieExitCode(long pid) {
    String[] fields = statFields(pid);
    if (fields.length < 50 || !fields[0].equals("Z")) {
      return OptionalInt.empty();
    }
    try {
      // The last field is the exit status as waitpid reports it (Linux 3.5 and later).
      int status = Integer.parseInt(fields[fields.length - 1]);
      int signal = status & 0x7f;
      return OptionalInt.of(signal == 0 ? (status >> 8) & 0xff : 128 + signal);
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static boolean isZombie(long pid) {
    String[] fields = statFields(pid);
    return fields.length > 0 && (fields[0].equals("Z") || fields[0].equals("X"));
  }

  /** The fields of /proc/PID/stat after the command name: state first. */
  private static String[] statFields(long pid) {
    try {
      String stat =
          Files.readString(
              PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
      // The command name is in parentheses and may itself hold spaces and parentheses.
      int close = stat.lastIndexOf(')');
      return close < 0 ? new String[0] : stat.substring(close + 1).trim().split("\\s+");
    } catch (NoSuchFileException e) {
      return new String[0];
    } catch (IOException e) {
      return new String[0];
    }
  }
}
