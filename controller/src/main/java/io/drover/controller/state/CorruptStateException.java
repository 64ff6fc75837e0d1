package io.drover.controller.state;

/**
 * Stored state that cannot be read back as written: a bad record with good ones after it, a gap
 * between segments, a command that no longer decodes. The message names the file and offset or the
 * log index, so that an operator can find it; the store refuses to open rather than lose commands
 * silently.
 */
public class CorruptStateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorruptStateException(String message) {
    super(message);
  }

  public CorruptStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
