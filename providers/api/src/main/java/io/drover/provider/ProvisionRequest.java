package io.drover.provider;

/**
 * What the controller needs servers for.
 *
 * @param memoryMb memory the waiting instances ask for in all
 * @param cpuMillis CPU the waiting instances ask for in all
 * @param reason for logs and the environment's tags: "3 instances of orders have no room"
 * @param joinToken what a new agent presents to join; empty while the cluster runs without
 */
public record ProvisionRequest(
    int count, int memoryMb, int cpuMillis, String reason, String joinToken) {
  public ProvisionRequest {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
  }
}
