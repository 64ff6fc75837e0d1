package io.drover.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Resolved settings of one process. A key's value comes from the first of: a command-line flag, a
 * {@code DROVER_*} environment variable, the YAML file, the key's default. Every value is parsed
 * and checked at once, so a bad setting stops the process at start with a message naming the key
 * and its origin, never later.
 */
public final class Settings {
  private final Map<String, Object> values;
  private final Map<String, String> origins;
  private final Map<String, RawSetting> open;

  private Settings(
      Map<String, Object> values, Map<String, String> origins, Map<String, RawSetting> open) {
    this.values = values;
    this.origins = origins;
    this.open = open;
  }

  /**
   * The settings under an open prefix (see {@link Builder#open(String)}), as written, by their full
   * key; whoever reads them checks them and names the key and origin in errors.
   */
  public Map<String, RawSetting> under(String prefix) {
    Map<String, RawSetting> found = new TreeMap<>();
    open.forEach(
        (key, value) -> {
          if (key.startsWith(prefix)) {
            found.put(key, value);
          }
        });
    return found;
  }

  public static Builder builder(Collection<ConfigKey<?>> keys) {
    return new Builder(keys);
  }

  /** The value of a key; {@code null} only for an optional key that was not set. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    return (T) values.get(key.name());
  }

  public <T> Optional<T> find(ConfigKey<T> key) {
    return Optional.ofNullable(get(key));
  }

  /** Where the value of a key came from: a file position, a variable, a flag, or "default". */
  public String origin(ConfigKey<?> key) {
    return origins.getOrDefault(key.name(), "default");
  }

  /** Collects the raw sources, then parses everything in {@link #build()}. */
  public static final class Builder {
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private final Map<String, RawSetting> file = new HashMap<>();
    private final Map<String, RawSetting> environment = new HashMap<>();
    private final Map<String, RawSetting> flags = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> openPrefixes = new ArrayList<>();
    private final Map<String, RawSetting> open = new HashMap<>();

    private Builder(Collection<ConfigKey<?>> keys) {
      for (ConfigKey<?> key : keys) {
        if (this.keys.put(key.name(), key) != null) {
          throw new IllegalArgumentException("config key declared twice: " + key.name());
        }
      }
    }

    /**
     * Accepts keys under {@code prefix} (such as {@code provider.ec2.}) without declaring them: a
     * plugin reads and checks its own settings. Call before adding sources.
     */
    public Builder open(String prefix) {
      openPrefixes.add(prefix);
      return this;
    }

    private boolean isOpen(String key) {
      return openPrefixes.stream().anyMatch(key::startsWith);
    }

    /** Adds a YAML file; its unknown keys are errors, since they are most likely typos. */
    public Builder file(Path path) {
      try {
        for (Map.Entry<String, RawSetting> e : YamlSettingsFile.read(path).entrySet()) {
          if (keys.containsKey(e.getKey())) {
            file.put(e.getKey(), e.getValue());
          } else if (isOpen(e.getKey())) {
            open.putIfAbsent(e.getKey(), e.getValue());
          } else {
            problems.add(
                e.getValue().origin()
                    + ": unknown setting '"
                    + e.getKey()
                    + "'; known settings: "
                    + String.join(", ", new TreeSet<>(keys.keySet())));
          }
        }
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
      return this;
    }

    /**
     * Adds the process environment; variables not naming a key are ignored. Under an open prefix,
     * {@code DROVER_PROVIDER_EC2_LAUNCH_TEMPLATE} is the key {@code provider.ec2.launchTemplate}.
     */
    public Builder environment(Map<String, String> env) {
      for (ConfigKey<?> key : keys.values()) {
        String value = env.get(key.envName());
        if (value != null && !value.isEmpty()) {
          environment.put(key.name(), new RawSetting(value, key.envName()));
        }
      }
      for (String prefix : openPrefixes) {
        String envPrefix = "DROVER_" + prefix.replace('.', '_').toUpperCase(Locale.ROOT);
        env.forEach(
            (name, value) -> {
              if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                // PREFIX_KIND_SOME_SETTING is prefix.kind.someSetting: the first word names the
                // plugin, the rest its setting. Environment beats the file, as for declared keys.
                String rest = name.substring(envPrefix.length());
                int split = rest.indexOf('_');
                String key =
                    split < 0
                        ? rest.toLowerCase(Locale.ROOT)
                        : rest.substring(0, split).toLowerCase(Locale.ROOT)
                            + "."
                            + camelCase(rest.substring(split + 1));
                open.put(prefix + key, new RawSetting(value, name));
              }
            });
      }
      return this;
    }

    private static String camelCase(String upperSnake) {
      String[] words = upperSnake.toLowerCase(Locale.ROOT).split("_");
      StringBuilder key = new StringBuilder(words[0]);
      for (int i = 1; i < words.length; i++) {
        if (!words[i].isEmpty()) {
          key.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
      }
      return key.toString();
    }

    /** Adds {@code KEY=VALUE} given on the command line ({@code --set}), for any key. */
    public Builder set(String assignment) {
      int equals = assignment.indexOf('=');
      if (equals < 1) {
        problems.add("--set " + assignment + ": expected KEY=VALUE");
        return this;
      }
      String key = assignment.substring(0, equals).trim();
      String value = assignment.substring(equals + 1);
      if (keys.containsKey(key)) {
        flags.put(key, new RawSetting(value, "--set " + key));
      } else if (isOpen(key)) {
        open.put(key, new RawSetting(value, "--set " + key));
      } else {
        problems.add(
            "--set "
                + key
                + ": unknown setting; known settings: "
                + String.join(", ", new TreeSet<>(keys.keySet())));
      }
      return this;
    }

    /** Adds a value given on the command line, by key name. */
    public Builder flag(String keyName, String value) {
      ConfigKey<?> key = keys.get(keyName);
      if (key == null) {
        throw new IllegalArgumentException("no config key " + keyName);
      }
      flags.put(keyName, new RawSetting(value, key.flagName()));
      return this;
    }

    public Settings build() {
      Map<String, Object> values = new HashMap<>();
      Map<String, String> origins = new HashMap<>();
      List<String> all = new ArrayList<>(problems);
      for (ConfigKey<?> key : keys.values()) {
        RawSetting raw = flags.get(key.name());
        if (raw == null) {
          raw = environment.get(key.name());
        }
        if (raw == null) {
          raw = file.get(key.name());
        }
        if (raw == null) {
          if (key.defaultValue() != null) {
            values.put(key.name(), key.defaultValue());
          }
          continue;
        }
        try {
          values.put(key.name(), key.parse(raw.value()));
          origins.put(key.name(), raw.origin());
        } catch (IllegalArgumentException e) {
          all.add(raw.origin() + ": " + key.name() + ": " + e.getMessage());
        }
      }
      if (!all.isEmpty()) {
        throw new ConfigException(all);
      }
      return new Settings(values, origins, Map.copyOf(open));
    }
  }
}
