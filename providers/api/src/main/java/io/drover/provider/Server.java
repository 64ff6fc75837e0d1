package io.drover.provider;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A server a provider created.
 *
 * @param id the environment's id (an EC2 instance id, a local agent's number)
 * @param kind the provider's kind
 * @param nodeName the name its agent joins with
 * @param details for people: address, instance type, zone
 */
public record Server(
    String id, String kind, String nodeName, Instant createdAt, Map<String, String> details) {
  public Server {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(createdAt, "createdAt");
    details = Map.copyOf(details);
  }
}
