package io.drover.common.errors;

/**
 * Base of the domain errors. Each subclass stands for one kind of failure that a client can act on;
 * the transport maps the kind to its own status codes in one table.
 */
public abstract class DroverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected DroverException(String message) {
    super(message);
  }

  protected DroverException(String message, Throwable cause) {
    super(message, cause);
  }
}
