package io.drover.controller.access;

/**
 * Who made a call.
 *
 * @param name the token's name or the client certificate's subject CN
 * @param role what it may do
 * @param via how it was proven: {@code token}, {@code certificate}, or {@code open} when access
 *     control is off
 */
public record Identity(String name, Role role, String via) {
  /** Everyone, when access control is off (dev mode on loopback). */
  public static final Identity OPEN = new Identity("anonymous", Role.ADMIN, "open");

  @Override
  public String toString() {
    return name + " (" + role.label() + ", " + via + ")";
  }
}
