package io.drover.controller.catalog;

/**
 * What one instance of a service needs from its node; placement reserves it.
 *
 * @param memoryMb memory of the whole container JVM, heap included, in MiB
 * @param cpuMillis thousandths of a core
 */
public record Resources(int memoryMb, int cpuMillis) {
  public static final Resources DEFAULT = new Resources(128, 250);

  public Resources {
    if (memoryMb <= 0 || cpuMillis <= 0) {
      throw new IllegalArgumentException("resources must be positive");
    }
  }
}
