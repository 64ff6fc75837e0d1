package io.drover.cli.output;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Numbers as people read them in tables. */
public final class Units {
  private Units() {}

  public static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }

  /** "0.4s ago", "3m ago", "2h ago". */
  public static String ago(Instant then, Instant now) {
    Duration d = Duration.between(then, now);
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    if (d.toSeconds() < 60) {
      return String.format(Locale.ROOT, "%.1fs ago", d.toMillis() / 1000.0);
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + "m ago";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h ago";
    }
    return d.toDays() + "d ago";
  }

  /** The first 8 characters of an id, as in Nomad's tables. */
  public static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }
}
