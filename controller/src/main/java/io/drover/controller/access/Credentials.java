package io.drover.controller.access;

import java.util.Optional;

/**
 * What a caller presented, as read by the transport.
 *
 * @param bearerToken the token of an {@code authorization: Bearer ...} header
 * @param certificateSubject the subject DN of a client certificate the transport verified
 * @param node the node id of a node certificate of the cluster that is not revoked
 */
public record Credentials(
    Optional<String> bearerToken, Optional<String> certificateSubject, Optional<String> node) {
  public static final Credentials NONE =
      new Credentials(Optional.empty(), Optional.empty(), Optional.empty());

  public Credentials(Optional<String> bearerToken, Optional<String> certificateSubject) {
    this(bearerToken, certificateSubject, Optional.empty());
  }

  public boolean isEmpty() {
    return bearerToken.isEmpty() && certificateSubject.isEmpty() && node.isEmpty();
  }
}
