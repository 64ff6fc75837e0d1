package io.drover.controller.catalog;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the node decides that an instance is healthy.
 *
 * @param path for {@link Type#HTTP} only: the path that must answer 2xx
 * @param port the name of the port that is checked; empty for {@link Type#READY}
 */
public record HealthCheck(
    Type type, Optional<String> path, Optional<String> port, Duration interval, Duration timeout) {
  public enum Type {
    /** The port accepts a connection. */
    TCP,
    /** A GET of the path on the port answers 2xx. */
    HTTP,
    /** The service reported itself ready through the SDK; no port is probed. */
    READY
  }

  public HealthCheck {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }
}
