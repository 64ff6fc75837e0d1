package io.drover.controller.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a container JVM is started; services name one.
 *
 * @param java the java executable or JDK home on the node; empty for the agent's own
 * @param heapMb the maximum heap (-Xmx) in MiB
 * @param flags further JVM flags, in order
 */
public record JvmProfileSpec(String name, Optional<String> java, int heapMb, List<String> flags) {
  public static final String DEFAULT_NAME = "default";

  /** Small, quick-starting JVMs: most microservices need little heap and no C2 compiler. */
  public static final JvmProfileSpec DEFAULT =
      new JvmProfileSpec(
          DEFAULT_NAME,
          Optional.empty(),
          128,
          List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));

  public JvmProfileSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(java, "java");
    flags = Copies.list(flags);
    if (heapMb <= 0) {
      throw new IllegalArgumentException("heapMb must be positive");
    }
  }
}
