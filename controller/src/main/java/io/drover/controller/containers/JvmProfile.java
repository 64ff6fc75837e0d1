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
}
