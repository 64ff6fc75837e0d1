package io.drover.controller.discovery;

import io.drover.controller.ports.PortMap;
import java.util.Map;

/**
 * One READY instance and where it listens.
 *
 * @param address the node's address as the controller sees its agent (host only)
 * @param ports port name to port, in the order of the assignment
 * @param zone the node's zone when known; empty otherwise
 */
public record Endpoint(
    String instanceId,
    String nodeId,
    String nodeName,
    String address,
    Map<String, Integer> ports,
    String zone,
    Map<String, String> labels) {

  public Endpoint {
    ports = PortMap.copyOf(ports); // shares the instance's map, which is one already
    labels = Map.copyOf(labels);
  }

  /** The first port of the assignment; 0 if it has none. */
  public int firstPort() {
    return ports.values().stream().findFirst().orElse(0);
  }
}
