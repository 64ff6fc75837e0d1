package io.drover.agent.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The counters of every network interface from Linux's {@code /proc/net/dev}: one file read for all
 * interfaces, where OSHI's {@code NetworkIF.updateAttributes()} opens a dozen files under {@code
 * /sys/class/net} per interface. The telemetry sampler reads them every second.
 */
final class ProcNetDev {
  static final Path FILE = Path.of("/proc/net/dev");

  /** Received and sent bytes and packets of one interface. */
  record Counters(long bytesReceived, long packetsReceived, long bytesSent, long packetsSent) {}

  private ProcNetDev() {}

  /** The counters by interface name; empty where the file does not exist or cannot be read. */
  static Optional<Map<String, Counters>> read(Path file) {
    try {
      return Optional.of(parse(Files.readString(file, StandardCharsets.ISO_8859_1)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses the file's text: two header lines, then {@code name: rx_bytes rx_packets errs drop fifo
   * frame compressed multicast tx_bytes tx_packets ...} per interface.
   */
  static Map<String, Counters> parse(String text) {
    Map<String, Counters> counters = new HashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 10) {
        continue;
      }
      counters.put(
          line.substring(0, colon).trim(),
          new Counters(
              Long.parseLong(f[0]),
              Long.parseLong(f[1]),
              Long.parseLong(f[8]),
              Long.parseLong(f[9])));
    }
    return counters;
  }
}
