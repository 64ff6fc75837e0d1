package io.drover.common.errors;

/** A bounded resource ran out: no free port, a full queue, a rate limit. */
public class ResourceExhaustedException extends DroverException {
  private static final long serialVersionUID = 1L;

  public ResourceExhaustedException(String message) {
    super(message);
  }
}
