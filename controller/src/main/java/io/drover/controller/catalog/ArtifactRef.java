package io.drover.controller.catalog;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a service's jar comes from.
 *
 * @param kind how {@code location} is read
 * @param location a path as the node sees it, an https URL, or for a blob its SHA-256
 * @param sha256 the jar's SHA-256 as 64 lowercase hex digits, checked before the jar is loaded
 */
public record ArtifactRef(Kind kind, String location, Optional<String> sha256) {
  public enum Kind {
    /** A path on the node. */
    PATH,
    /** An https URL the node downloads. */
    URL,
    /** Content-addressed: the location is the SHA-256 of the jar in the controller's store. */
    BLOB
  }

  public ArtifactRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(sha256, "sha256");
    if (kind == Kind.BLOB && !sha256.equals(Optional.of(location))) {
      throw new IllegalArgumentException("a blob's location is its sha256");
    }
  }
}
