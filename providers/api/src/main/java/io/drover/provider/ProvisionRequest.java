package io.drover.provider;

/**
 * What the controller needs servers for.
 *
 * @param memoryMb memory the waiting instances ask for in all
 * @param cpuMillis CPU the waiting instances ask for in all
 * @param reason for logs and the environment's tags: "3 instances of orders have no room"
 * @param joinToken what a new agent presents to join, good for {@code count} joins; empty while the
 *     cluster runs without TLS
 * @param caFingerprint the SHA-256 of the cluster CA a new agent pins along with the token; empty
 *     while the cluster runs without TLS
 */
public record ProvisionRequest(
    int count, int memoryMb, int cpuMillis, String reason, String joinToken, String caFingerprint) {
  public ProvisionRequest {
    joinToken = joinToken == null ? "" : joinToken;
    caFingerprint = caFingerprint == null ? "" : caFingerprint;
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
  }
}
