package io.drover.common.errors;

/** The request is well formed but the system is not in a state that allows it. */
public class FailedPreconditionException extends DroverException {
  private static final long serialVersionUID = 1L;

  public FailedPreconditionException(String message) {
    super(message);
  }
}
