package io.drover.agent.artifacts;

/** An artifact's content does not have the sha256 its catalog entry names; it must not run. */
public final class ArtifactMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ArtifactMismatchException(String location, String expected, String actual) {
    super(
        "artifact "
            + location
            + " has sha256 "
            + actual
            + " but the catalog expects "
            + expected
            + "; it was not started");
  }
}
