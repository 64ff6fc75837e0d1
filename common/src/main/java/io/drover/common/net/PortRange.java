package io.drover.common.net;

/** A closed range of TCP ports, written {@code LOW-HIGH}. */
public record PortRange(int low, int high) {

  public PortRange {
    if (low < 1 || high > 65_535 || low > high) {
      throw new IllegalArgumentException(
          low + "-" + high + " is not a port range: need 1 <= LOW <= HIGH <= 65535");
    }
  }

  /**
   * Parses {@code LOW-HIGH}; also accepts the kernel's tab-separated form of
   * /proc/sys/net/ipv4/ip_local_port_range.
   */
  public static PortRange parse(String text) {
    String value = text == null ? "" : text.trim();
    String[] parts = value.split("\\s*-\\s*|\\s+");
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + value + "' is not LOW-HIGH");
    }
    try {
      return new PortRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not LOW-HIGH with numeric ports");
    }
  }

  public int size() {
    return high - low + 1;
  }

  public boolean contains(int port) {
    return port >= low && port <= high;
  }

  public boolean overlaps(PortRange other) {
    return low <= other.high && other.low <= high;
  }

  /** Splits the range into {@code parts} disjoint slices of near-equal size, in order. */
  public PortRange[] split(int parts) {
    if (parts < 1 || parts > size()) {
      throw new IllegalArgumentException("cannot split " + this + " into " + parts + " parts");
    }
    PortRange[] slices = new PortRange[parts];
    int start = low;
    for (int i = 0; i < parts; i++) {
      int length = size() / parts + (i < size() % parts ? 1 : 0);
      slices[i] = new PortRange(start, start + length - 1);
      start += length;
    }
    return slices;
  }

  @Override
  public String toString() {
    return low + "-" + high;
  }
}
