package io.drover.controller.providers;

import java.time.Duration;
import java.util.Optional;

/**
 * Join tokens for the agents of servers the provider starts, so that they join with mutual TLS like
 * any other; none while the cluster runs without TLS.
 */
@FunctionalInterface
public interface JoinTokens {
  /** A token good for some joins, with the CA fingerprint an agent pins along with it. */
  record Token(String token, String caFingerprint) {}

  /** A token for {@code uses} joins within {@code ttl}; empty when the cluster has no TLS. */
  Optional<Token> mint(int uses, Duration ttl);

  static JoinTokens none() {
    return (uses, ttl) -> Optional.empty();
  }
}
