package io.drover.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One READY instance of another service and where to call it.
 *
 * @param host the address of its node
 * @param ports port name to port, in the order of its assignment
 * @param node the name of its node
 * @param zone its node's zone when known; empty otherwise
 */
public record Endpoint(
    String instanceId,
    String host,
    Map<String, Integer> ports,
    String node,
    String zone,
    Map<String, String> labels) {

  public Endpoint {
    ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    labels = Map.copyOf(labels);
  }

  /**
   * The first port of its assignment.
   *
   * @throws IllegalStateException if it has none
   */
  public int port() {
    return ports.values().stream()
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(instanceId + " has no port"));
  }

  /**
   * The port named {@code name}.
   *
   * @throws IllegalArgumentException if it has no such port
   */
  public int port(String name) {
    Integer port = ports.get(name);
    if (port == null) {
      throw new IllegalArgumentException(
          instanceId + " has no port named '" + name + "'; it has " + ports.keySet());
    }
    return port;
  }
}
