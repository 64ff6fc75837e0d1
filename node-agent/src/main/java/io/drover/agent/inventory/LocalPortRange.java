package io.drover.agent.inventory;

import io.drover.common.net.PortRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The kernel's range for ephemeral (outgoing) ports; instance ports must stay outside it. */
public final class LocalPortRange {
  private static final Path LINUX = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private LocalPortRange() {}

  /** Empty where the OS does not expose it (not Linux) or it cannot be read. */
  public static Optional<PortRange> read() {
    return read(LINUX);
  }

  static Optional<PortRange> read(Path file) {
    // Files.readString trusts the size /proc reports (0) and returns a fragment; stream it.
    try (InputStream in = Files.newInputStream(file)) {
      return Optional.of(PortRange.parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII)));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
