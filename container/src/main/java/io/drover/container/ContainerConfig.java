package io.drover.container;

import io.drover.common.config.ByteSizes;
import io.drover.common.config.Durations;
import io.drover.common.net.LinkAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The container's settings, all from the environment the agent starts it with.
 *
 * @param containerId {@code DROVER_CONTAINER_ID}
 * @param secret {@code DROVER_CONTAINER_SECRET}
 * @param agentLink {@code DROVER_AGENT_LINK}: the agent's ContainerLink service, {@code unix:/PATH}
 *     (a Unix socket) or {@code HOST:PORT} (loopback)
 * @param log {@code DROVER_CONTAINER_LOG}; null keeps stdout and stderr as they are (development)
 * @param logMaxBytes {@code DROVER_CONTAINER_LOG_MAX_BYTES}, 10 MiB by default
 * @param attachTimeout {@code DROVER_ATTACH_TIMEOUT}: how long an IDLE container stays unattached
 *     before it exits, 60s by default
 * @param coldPort {@code DROVER_PORT} or {@code PORT}: set only for a container started for one
 *     assignment (cold); 0 for a warm one
 * @param warmup {@code DROVER_WARMUP}: whether to warm up while waiting; by default warm containers
 *     do and cold ones do not
 */
public record ContainerConfig(
    String containerId,
    String secret,
    LinkAddress agentLink,
    Path log,
    long logMaxBytes,
    Duration attachTimeout,
    int coldPort,
    boolean warmup) {

  public static final long DEFAULT_LOG_MAX_BYTES = 10L << 20;
  public static final Duration DEFAULT_ATTACH_TIMEOUT = Duration.ofSeconds(60);

  /** A container started with a port already in its environment is a cold one. */
  public boolean cold() {
    return coldPort > 0;
  }

  /**
   * Reads the settings from an environment.
   *
   * @throws IllegalArgumentException naming the variable that is missing or wrong
   */
  public static ContainerConfig fromEnvironment(Map<String, String> env) {
    String id = required(env, "DROVER_CONTAINER_ID");
    String secret = required(env, "DROVER_CONTAINER_SECRET");
    LinkAddress link;
    try {
      link = LinkAddress.parse(required(env, "DROVER_AGENT_LINK"));
      if (!link.isUnix()) {
        link = LinkAddress.tcp(link.tcp().forLocalClient());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("DROVER_AGENT_LINK: " + e.getMessage(), e);
    }
    String logValue = env.get("DROVER_CONTAINER_LOG");
    Path log = logValue == null || logValue.isBlank() ? null : Path.of(logValue);
    long maxBytes = DEFAULT_LOG_MAX_BYTES;
    String maxValue = env.get("DROVER_CONTAINER_LOG_MAX_BYTES");
    if (maxValue != null && !maxValue.isBlank()) {
      try {
        maxBytes = ByteSizes.parse(maxValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("DROVER_CONTAINER_LOG_MAX_BYTES: " + e.getMessage(), e);
      }
      if (maxBytes < 1024) {
        throw new IllegalArgumentException(
            "DROVER_CONTAINER_LOG_MAX_BYTES: " + maxValue + " is below the minimum of 1KiB");
      }
    }
    Duration attachTimeout = DEFAULT_ATTACH_TIMEOUT;
    String timeoutValue = env.get("DROVER_ATTACH_TIMEOUT");
    if (timeoutValue != null && !timeoutValue.isBlank()) {
      try {
        // A bare number is seconds.
        attachTimeout =
            timeoutValue.trim().chars().allMatch(Character::isDigit)
                ? Duration.ofSeconds(Long.parseLong(timeoutValue.trim()))
                : Durations.parse(timeoutValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("DROVER_ATTACH_TIMEOUT: " + e.getMessage(), e);
      }
      if (attachTimeout.isZero()) {
        throw new IllegalArgumentException("DROVER_ATTACH_TIMEOUT: must be more than 0");
      }
    }
    int coldPort = port(env, "DROVER_PORT");
    if (coldPort == 0) {
      coldPort = port(env, "PORT");
    }
    String warmupValue = env.get("DROVER_WARMUP");
    boolean warmup =
        warmupValue == null || warmupValue.isBlank()
            ? coldPort == 0
            : !"false".equalsIgnoreCase(warmupValue.trim());
    return new ContainerConfig(id, secret, link, log, maxBytes, attachTimeout, coldPort, warmup);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is not set");
    }
    return value.trim();
  }

  private static int port(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 1 || port > 65_535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + value + "' is not a port (1-65535)", e);
    }
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "ContainerConfig[id="
        + containerId
        + ", agentLink="
        + agentLink
        + ", log="
        + log
        + ", logMaxBytes="
        + logMaxBytes
        + ", attachTimeout="
        + Durations.format(attachTimeout)
        + (cold() ? ", cold port " + coldPort : ", warm")
        + "]";
  }
}
