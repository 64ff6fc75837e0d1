package io.drover.common.security;

/** Key, certificate or CSR material that cannot be read or does not check out. */
public final class SecurityMaterialException extends RuntimeException {
  public SecurityMaterialException(String message) {
    super(message);
  }

  public SecurityMaterialException(String message, Throwable cause) {
    super(message, cause);
  }
}
