package io.drover.controller.access;

import java.util.Optional;

/**
 * What a caller presented, as read by the transport.
 *
 * @param bearerToken the token of an {@code authorization: Bearer ...} header
 * @param certificateSubject the subject DN of a client certificate the transport verified
 */
public record Credentials(Optional<String> bearerToken, Optional<String> certificateSubject) {
  public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty());

  public boolean isEmpty() {
    return bearerToken.isEmpty() && certificateSubject.isEmpty();
  }
}
