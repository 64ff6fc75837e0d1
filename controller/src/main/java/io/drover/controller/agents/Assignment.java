package io.drover.controller.agents;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a container needs to run one instance.
 *
 * @param ports port name to port, in the catalog's order
 * @param artifact {@code file:PATH}, {@code blob:SHA256} or an https URL
 * @param sha256 lowercase hex, or empty when the catalog gives none (dev mode)
 */
public record Assignment(
    String service,
    String instanceId,
    Map<String, Integer> ports,
    String artifact,
    String sha256,
    String entry,
    List<String> args,
    Map<String, String> env,
    Map<String, String> systemProperties,
    Duration gracePeriod,
    Duration startTimeout,
    Health health) {

  public Assignment {
    ports = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ports));
    args = List.copyOf(args);
    env = Map.copyOf(env);
    systemProperties = Map.copyOf(systemProperties);
  }
}
