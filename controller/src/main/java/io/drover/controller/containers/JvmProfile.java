package io.drover.controller.containers;

import java.util.List;

/**
 * What is fixed when a JVM starts. Two profiles are the same when every field is, so a warm
 * container can take any service whose profile equals its own.
 *
 * @param java the java binary; empty for the agent's own
 * @param heapMb -Xmx in MiB; 0 lets the JVM choose
 */
public record JvmProfile(String name, String java, int heapMb, List<String> flags) {
  public JvmProfile {
    flags = List.copyOf(flags);
  }

  /**
   * The name and heap only: profiles are hashed for every node and service in a placement pass, and
   * the record's own hash went through every flag each time. Equal profiles still hash equal.
   */
  @Override
  public int hashCode() {
    return 31 * name.hashCode() + heapMb;
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof JvmProfile p
            && heapMb == p.heapMb
            && name.equals(p.name)
            && java.equals(p.java)
            && flags.equals(p.flags));
  }
}
