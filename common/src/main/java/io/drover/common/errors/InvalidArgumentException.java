package io.drover.common.errors;

/** A request or message broke a rule of its schema; the message names the field. */
public class InvalidArgumentException extends DroverException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public InvalidArgumentException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
