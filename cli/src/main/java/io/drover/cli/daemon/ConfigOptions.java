package io.drover.cli.daemon;

import io.drover.common.config.ConfigKey;
import io.drover.common.config.Durations;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns a daemon's config keys into command-line options, so that every key is settable by flag as
 * well as by file and environment, with one description for all three.
 */
public final class ConfigOptions {
  private static final String CONFIG = "--config";
  private static final String SET = "--set";

  private ConfigOptions() {}

  public static void addTo(CommandSpec spec, List<ConfigKey<?>> keys, Path defaultFile) {
    spec.addOption(
        OptionSpec.builder(CONFIG)
            .paramLabel("FILE")
            .type(Path.class)
            .description(
                "YAML settings file (default: "
                    + defaultFile
                    + " if it exists, or $DROVER_CONFIG).")
            .build());
    spec.addOption(
        OptionSpec.builder(SET)
            .paramLabel("KEY=VALUE")
            .type(String[].class)
            .auxiliaryTypes(String.class)
            .description(
                "Any setting by its file key, such as provider.ec2.region=eu-west-1; repeatable.")
            .build());
    for (ConfigKey<?> key : keys) {
      List<String> names = new java.util.ArrayList<>();
      names.add(key.flagName());
      names.addAll(key.aliases());
      spec.addOption(
          OptionSpec.builder(names.toArray(String[]::new))
              .paramLabel(label(key))
              .type(String.class)
              .description(
                  key.description()
                      + " [file: "
                      + key.name()
                      + ", env: "
                      + key.envName()
                      + (key.defaultValue() == null ? "" : ", default: " + show(key.defaultValue()))
                      + "]")
              .build());
    }
  }

  /** Settings from the flags given, the environment, and the file. */
  public static Settings resolve(CommandSpec spec, List<ConfigKey<?>> keys, Path defaultFile) {
    return resolve(spec, keys, defaultFile, List.of());
  }

  /**
   * Settings from the flags given, the environment, and the file; keys under {@code openPrefixes}
   * are passed through unchecked for a plugin to check.
   */
  public static Settings resolve(
      CommandSpec spec, List<ConfigKey<?>> keys, Path defaultFile, List<String> openPrefixes) {
    Settings.Builder builder = Settings.builder(keys);
    openPrefixes.forEach(builder::open);
    Path file = spec.findOption(CONFIG).getValue();
    if (file == null && System.getenv("DROVER_CONFIG") != null) {
      file = Path.of(System.getenv("DROVER_CONFIG"));
    }
    if (file == null && Files.isRegularFile(defaultFile)) {
      file = defaultFile;
    }
    if (file != null) {
      builder.file(file);
    }
    builder.environment(System.getenv());
    String[] assignments = spec.findOption(SET).getValue();
    if (assignments != null) {
      for (String assignment : assignments) {
        builder.set(assignment);
      }
    }
    for (ConfigKey<?> key : keys) {
      String value = spec.findOption(key.flagName()).getValue();
      if (value != null) {
        builder.flag(key.name(), value);
      }
    }
    return builder.build();
  }

  /** True when the flag of {@code key} was given on the command line. */
  public static boolean given(CommandSpec spec, ConfigKey<?> key) {
    return spec.findOption(key.flagName()).getValue() != null;
  }

  private static String label(ConfigKey<?> key) {
    Object d = key.defaultValue();
    if (d instanceof Duration) {
      return "DURATION";
    }
    if (d instanceof Path) {
      return "DIR";
    }
    if (d instanceof Boolean) {
      return "BOOL";
    }
    if (d instanceof HostPort) {
      return "HOST:PORT";
    }
    if (d instanceof PortRange) {
      return "LOW-HIGH";
    }
    if (key.name().endsWith("Bytes")) {
      return "SIZE";
    }
    return "VALUE";
  }

  private static String show(Object value) {
    return value instanceof Duration d ? Durations.format(d) : String.valueOf(value);
  }
}
