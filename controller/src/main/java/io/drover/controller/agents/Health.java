package io.drover.controller.agents;

import java.time.Duration;

/**
 * How the agent decides that an instance is healthy.
 *
 * @param path for HTTP: the path that must answer 2xx
 * @param port the name of the port to check; empty for the first
 */
public record Health(Type type, String path, String port, Duration interval, Duration timeout) {
  /** What is checked. */
  public enum Type {
    TCP,
    HTTP,
    READY
  }

  public static final Health READY_ONLY =
      new Health(Type.READY, "", "", Duration.ofSeconds(5), Duration.ofSeconds(1));
}
