package io.drover.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private Settings(Map<String, Object> values, Map<String, String> origins) {
    this.values = values;
    this.origins = origins;
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

    private Builder(Collection<ConfigKey<?>> keys) {
      for (ConfigKey<?> key : keys) {
        if (this.keys.put(key.name(), key) != null) {
          throw new IllegalArgumentException("config key declared twice: " + key.name());
        }
      }
    }

    /** Adds a YAML file; its unknown keys are errors, since they are most likely typos. */
    public Builder file(Path path) {
      try {
        for (Map.Entry<String, RawSetting> e : YamlSettingsFile.read(path).entrySet()) {
          if (keys.containsKey(e.getKey())) {
            file.put(e.getKey(), e.getValue());
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

    /** Adds the process environment; variables not naming a key are ignored. */
    public Builder environment(Map<String, String> env) {
      for (ConfigKey<?> key : keys.values()) {
        String value = env.get(key.envName());
        if (value != null && !value.isEmpty()) {
          environment.put(key.name(), new RawSetting(value, key.envName()));
        }
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
      return new Settings(values, origins);
    }
  }
}
