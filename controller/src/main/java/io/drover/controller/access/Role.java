package io.drover.controller.access;

import io.drover.common.errors.InvalidArgumentException;
import java.util.Locale;

/** What an identity may do on the admin API. Each role includes the ones before it. */
public enum Role {
  /** Reads everything: nodes, services, instances, containers, events. */
  VIEWER,
  /** Also changes the cluster: apply a catalog, scale, cordon, drain, push jars. */
  OPERATOR,
  /** Also manages access: tokens (and, with TLS, certificates and join tokens). */
  ADMIN;

  public boolean includes(Role needed) {
    return ordinal() >= needed.ordinal();
  }

  /** The name used on the wire, in the CLI and in the docs. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String field, String value) {
    for (Role role : values()) {
      if (role.label().equals(value)) {
        return role;
      }
    }
    throw new InvalidArgumentException(field, "'" + value + "' is not viewer, operator or admin");
  }
}
