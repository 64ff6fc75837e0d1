package io.drover.common.config;

import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed setting: its name, meaning, default and the rules its value must meet. The same key is
 * read from the YAML file ({@code http.listen}), the environment ({@code DROVER_HTTP_LISTEN}) and
 * the command line ({@code --http-listen}).
 *
 * @param <T> the parsed type
 */
public final class ConfigKey<T> {
  private final String name;
  private final String description;
  private final T defaultValue;
  private final Function<String, T> parser;
  private final Function<T, String> check;
  private final List<String> aliases;

  private ConfigKey(
      String name,
      String description,
      T defaultValue,
      Function<String, T> parser,
      Function<T, String> check,
      List<String> aliases) {
    if (!name.matches("[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*")) {
      throw new IllegalArgumentException("config key names are dotted camelCase: " + name);
    }
    this.name = name;
    this.description = Objects.requireNonNull(description);
    this.defaultValue = defaultValue;
    this.parser = parser;
    this.check = check;
    this.aliases = List.copyOf(aliases);
  }

  /** The same key with further command-line names, such as {@code --catalog}. */
  public ConfigKey<T> withAliases(String... flags) {
    return new ConfigKey<>(name, description, defaultValue, parser, check, List.of(flags));
  }

  /** Further command-line names of the key. */
  public List<String> aliases() {
    return aliases;
  }

  /** The dotted name used in YAML files, e.g. {@code reconnect.maxBackoff}. */
  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The default, or {@code null} when the key is optional and has none. */
  public T defaultValue() {
    return defaultValue;
  }

  /** {@code reconnect.maxBackoff} becomes {@code DROVER_RECONNECT_MAX_BACKOFF}. */
  public String envName() {
    return "DROVER_" + words("_").toUpperCase(Locale.ROOT);
  }

  /** {@code reconnect.maxBackoff} becomes {@code --reconnect-max-backoff}. */
  public String flagName() {
    return "--" + words("-").toLowerCase(Locale.ROOT);
  }

  private String words(String separator) {
    return name.replace(".", separator).replaceAll("([a-z0-9])([A-Z])", "$1" + separator + "$2");
  }

  /**
   * Parses and checks a raw value.
   *
   * @throws IllegalArgumentException with a message that says what is wrong with the value
   */
  public T parse(String raw) {
    T value = parser.apply(raw.trim());
    String problem = check.apply(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return value;
  }

  @Override
  public String toString() {
    return name;
  }

  // ---- factories, one per kind of value ----

  public static ConfigKey<String> string(String name, String defaultValue, String description) {
    return new ConfigKey<>(name, description, defaultValue, s -> s, v -> null, List.of());
  }

  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
    return new ConfigKey<>(
        name, description, defaultValue, ConfigKey::parseBoolean, v -> null, List.of());
  }

  public static ConfigKey<Integer> integer(
      String name, int defaultValue, int min, int max, String description) {
    return new ConfigKey<>(
        name,
        description,
        defaultValue,
        ConfigKey::parseInt,
        v -> v < min || v > max ? v + " is outside " + min + "-" + max : null,
        List.of());
  }

  public static ConfigKey<Duration> duration(
      String name, Duration defaultValue, Duration min, Duration max, String description) {
    return new ConfigKey<>(
        name,
        description,
        defaultValue,
        Durations::parse,
        v ->
            v.compareTo(min) < 0 || v.compareTo(max) > 0
                ? Durations.format(v)
                    + " is outside "
                    + Durations.format(min)
                    + " to "
                    + Durations.format(max)
                : null,
        List.of());
  }

  /**
   * A duration that may be off: empty, {@code 0}, {@code off} or {@code never} mean {@link
   * Duration#ZERO}, which is also the default.
   */
  public static ConfigKey<Duration> durationOrNever(
      String name, Duration min, Duration max, String description) {
    return new ConfigKey<>(
        name,
        description,
        Duration.ZERO,
        raw ->
            raw.isEmpty()
                    || raw.equals("0")
                    || raw.equalsIgnoreCase("off")
                    || raw.equalsIgnoreCase("never")
                ? Duration.ZERO
                : Durations.parse(raw),
        v ->
            !v.isZero() && (v.compareTo(min) < 0 || v.compareTo(max) > 0)
                ? Durations.format(v)
                    + " is outside "
                    + Durations.format(min)
                    + " to "
                    + Durations.format(max)
                    + " (0 or empty for never)"
                : null,
        List.of());
  }

  public static ConfigKey<Long> bytes(
      String name, long defaultValue, long min, long max, String description) {
    return new ConfigKey<>(
        name,
        description,
        defaultValue,
        ByteSizes::parse,
        v ->
            v < min || v > max
                ? ByteSizes.format(v)
                    + " is outside "
                    + ByteSizes.format(min)
                    + " to "
                    + ByteSizes.format(max)
                : null,
        List.of());
  }

  public static ConfigKey<HostPort> hostPort(
      String name, HostPort defaultValue, String description) {
    return new ConfigKey<>(name, description, defaultValue, HostPort::parse, v -> null, List.of());
  }

  public static ConfigKey<PortRange> portRange(
      String name, PortRange defaultValue, String description) {
    return new ConfigKey<>(name, description, defaultValue, PortRange::parse, v -> null, List.of());
  }

  public static ConfigKey<Path> path(String name, Path defaultValue, String description) {
    return new ConfigKey<>(name, description, defaultValue, Path::of, v -> null, List.of());
  }

  private static boolean parseBoolean(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException("'" + raw + "' is not true or false");
    };
  }

  private static int parseInt(String raw) {
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + raw + "' is not a whole number");
    }
  }
}
