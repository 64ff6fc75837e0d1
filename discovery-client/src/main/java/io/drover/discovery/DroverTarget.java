package io.drover.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code drover://[CONTROLLER]/SERVICE[?port=NAME]} target.
 *
 * @param controller where the endpoints are watched: the target's authority, else the system
 *     property {@code drover.controller}, else (inside a container) its agent's link {@code
 *     DROVER_AGENT_LINK}, which relays the watch over the agent's own session and so works on a
 *     cluster with mutual TLS, else the variable {@code DROVER_CONTROLLER}, else {@code
 *     127.0.0.1:7400}
 * @param portName the name of the port to call ({@code ?port=NAME}); when absent, the port named
 *     {@code grpc}, else the instance's first port
 */
record DroverTarget(String controller, String service, Optional<String> portName) {
  static final String SCHEME = "drover";
  static final String DEFAULT_CONTROLLER = "127.0.0.1:7400";

  static DroverTarget parse(URI uri, Map<String, String> env) {
    if (!SCHEME.equals(uri.getScheme())) {
      throw new IllegalArgumentException("not a drover:/// target: " + uri);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String service = path.startsWith("/") ? path.substring(1) : path;
    if (service.isEmpty() || service.contains("/")) {
      throw new IllegalArgumentException(
          "target " + uri + ": give one service name, as in drover:///orders");
    }
    String controller = uri.getAuthority();
    if (controller == null || controller.isEmpty()) {
      controller = System.getProperty("drover.controller");
    }
    if (controller == null || controller.isEmpty()) {
      // "unix:/PATH" (a target gRPC's Netty transport resolves) or "HOST:PORT" on loopback.
      controller = env.get("DROVER_AGENT_LINK");
    }
    if (controller == null || controller.isEmpty()) {
      controller = env.get("DROVER_CONTROLLER");
    }
    if (controller == null || controller.isEmpty()) {
      controller = DEFAULT_CONTROLLER;
    }
    Optional<String> port = Optional.empty();
    String query = uri.getQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("port=") && pair.length() > "port=".length()) {
          port = Optional.of(pair.substring("port=".length()));
        } else {
          throw new IllegalArgumentException(
              "target " + uri + ": unknown parameter '" + pair + "'; only port=NAME is known");
        }
      }
    }
    return new DroverTarget(controller, service, port);
  }
}
