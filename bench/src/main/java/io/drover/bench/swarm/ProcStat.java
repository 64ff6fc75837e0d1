package io.drover.bench.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** CPU time and resident memory of a process, from Linux's {@code /proc}. */
public final class ProcStat {
  /** USER_HZ: the unit of the tick counters in /proc/PID/stat on every Linux port Java runs on. */
  private static final long TICK_NANOS = 10_000_000L;

  private ProcStat() {}

  /** utime + stime of the process, in nanoseconds. */
  public static long cpuNanos(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
  }

  /**
   * CPU time of the process's threads by name, digits taken out ("drover-grpc-3" counts as
   * "drover-grpc-N"), in nanoseconds; threads that ended meanwhile are not counted.
   */
  public static Map<String, Long> cpuNanosByThread(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long nanos = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
        byName.merge(name.replaceAll("[0-9]+", "N"), nanos, Long::sum);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byName;
  }

  /** VmRSS of the process, in bytes. */
  public static long rssBytes(long pid) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS for process " + pid);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
