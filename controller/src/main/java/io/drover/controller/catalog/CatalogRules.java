package io.drover.controller.catalog;

import java.time.Duration;
import java.util.regex.Pattern;

/** The limits and patterns of the catalog format, in one place; docs/CATALOG.md lists them. */
final class CatalogRules {
  /** Service, profile and port names: DNS labels, so they can become host names and metric tags. */
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  static final String NAME_RULE =
      "lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit";

  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9_$][A-Za-z0-9_$.\\-]*");

  /** Metric names as the container flattens them: {@code requests.p99}, {@code cpu}. */
  static final Pattern METRIC = Pattern.compile("[a-zA-Z0-9_.]+");

  static final String METRIC_RULE = "letters, digits, '_' and '.'";

  static final int MAX_SOURCE_BYTES = 1 << 20;
  static final int MAX_SERVICES = 1000;
  static final int MAX_TEXT_LENGTH = 1024;
  static final int MAX_REPLICAS = 1000;
  static final int MAX_PORTS = 16;
  static final int MAX_WARM_POOL = 1000;

  /** Entries of env, systemProperties, args and flags; a JVM command line has to stay sane. */
  static final int MAX_ENTRIES = 256;

  static final int MIN_MEMORY_MB = 16;
  static final int MAX_MEMORY_MB = 1 << 20;
  static final int MAX_CPU_MILLIS = 1_000_000;
  static final Duration MAX_DURATION = Duration.ofDays(1);

  static final Duration MIN_SCALING_INTERVAL = Duration.ofSeconds(1);
  static final Duration MAX_SCALING_INTERVAL = Duration.ofMinutes(10);

  /** The longest stabilization window or cooldown. */
  static final Duration MAX_SCALING_WINDOW = Duration.ofHours(1);

  /** Targets, and rules, of one service. */
  static final int MAX_SCALING_ITEMS = 16;

  static final int DEFAULT_MIN_REPLICAS = 1;
  static final String DEFAULT_PORT = "http";
  static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
  static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);
  static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);
  static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private CatalogRules() {}
}
