package io.drover.common.errors;

/** The named thing does not exist. */
public class NotFoundException extends DroverException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String what, String name) {
    super(what + " '" + name + "' not found");
  }
}
