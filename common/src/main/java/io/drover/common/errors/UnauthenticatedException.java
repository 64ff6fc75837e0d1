package io.drover.common.errors;

/** The caller did not prove who it is: no, a wrong, an expired or a revoked credential. */
public class UnauthenticatedException extends DroverException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(String message) {
    super(message);
  }
}
