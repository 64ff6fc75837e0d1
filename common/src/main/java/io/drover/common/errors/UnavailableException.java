package io.drover.common.errors;

/** Something this call depends on cannot be reached now; retrying later may succeed. */
public class UnavailableException extends DroverException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
