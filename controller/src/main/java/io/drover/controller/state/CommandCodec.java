package io.drover.controller.state;

/**
 * Turns commands into log payloads and back. The log stores bytes only, so that a replicated log
 * can carry the same payloads.
 *
 * @param <C> the command type
 */
public interface CommandCodec<C> {

  byte[] encode(C command);

  /**
   * Reads a payload back.
   *
   * @throws IllegalArgumentException saying what is wrong: an unknown command type, a malformed
   *     payload, a field out of range
   */
  C decode(byte[] payload);
}
