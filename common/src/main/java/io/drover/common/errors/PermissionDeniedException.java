package io.drover.common.errors;

/** The caller is known but its role does not allow what it asked for. */
public class PermissionDeniedException extends DroverException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(String message) {
    super(message);
  }
}
