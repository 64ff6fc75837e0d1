package io.drover.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a provider's own settings (the keys under {@code provider.KIND.}) and collects every wrong
 * one in {@code errors}, each naming its full key, so that a factory reports them all at once.
 */
public final class SettingsReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

  private final String prefix;
  private final Map<String, String> settings;
  private final List<String> errors;

  /**
   * @param prefix the settings' prefix, such as {@code provider.azure.}, for the error messages
   */
  public SettingsReader(String prefix, Map<String, String> settings, List<String> errors) {
    this.prefix = prefix;
    this.settings = settings;
    this.errors = errors;
  }

  /** The trimmed value, or empty when absent or blank. */
  public Optional<String> optional(String key) {
    String value = settings.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /** The value; null after recording "missing" when there is none. */
  public String required(String key) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      error(key, "missing");
      return null;
    }
    return value.get();
  }

  /** A whole number of at least 1; {@code fallback} when absent or wrong (then recorded). */
  public int positive(String key, int fallback) {
    Optional<String> text = optional(key);
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.get());
      if (value < 1) {
        error(key, "'" + text.get() + "' must be at least 1");
        return fallback;
      }
      return value;
    } catch (NumberFormatException e) {
      error(key, "'" + text.get() + "' is not a whole number");
      return fallback;
    }
  }

  /** A duration such as 500ms, 30s or 2m; {@code fallback} when absent or wrong (then recorded). */
  public Duration duration(String key, Duration fallback) {
    Optional<String> text = optional(key);
    if (text.isEmpty()) {
      return fallback;
    }
    Matcher m = DURATION.matcher(text.get());
    if (!m.matches()) {
      error(key, "'" + text.get() + "' is not a duration such as 500ms, 30s or 2m");
      return fallback;
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }

  /** Records a problem with {@code key}, named in full. */
  public void error(String key, String message) {
    errors.add(prefix + key + ": " + message);
  }
}
