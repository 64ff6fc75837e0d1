package io.drover.common.errors;

/** The caller gave no credentials, or ones that identify no one. */
public class UnauthenticatedException extends DroverException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(String message) {
    super(message);
  }
}
