package io.drover.controller.nodes;

import java.time.Instant;

/**
 * A node's telemetry sample as it arrived, turned into a {@link NodeLoad} only when something reads
 * the whole of it, and then once. Every node sends one a second and most are replaced before anyone
 * looks at them, so converting each on arrival was work for nothing; the few figures read often
 * (the failure detector's clock, the metrics' gauges) are read without converting.
 */
public abstract class TelemetrySample {
  private final Instant sampledAt;
  private volatile NodeLoad load;

  protected TelemetrySample(Instant sampledAt) {
    this.sampledAt = sampledAt;
  }

  /** A sample that already is a {@link NodeLoad}. */
  public static TelemetrySample of(NodeLoad load) {
    TelemetrySample sample =
        new TelemetrySample(load.sampledAt()) {
          @Override
          protected NodeLoad convert() {
            return load;
          }

          @Override
          public double cpuLoad() {
            return load.cpuLoad();
          }

          @Override
          public long memoryTotalBytes() {
            return load.memoryTotalBytes();
          }

          @Override
          public long memoryAvailableBytes() {
            return load.memoryAvailableBytes();
          }
        };
    sample.load = load;
    return sample;
  }

  /** When the agent took the sample, by its clock. */
  public final Instant sampledAt() {
    return sampledAt;
  }

  /** The whole sample, converted on the first call. */
  public final NodeLoad load() {
    NodeLoad converted = load;
    if (converted == null) {
      // Two readers may both convert; either result is the same sample.
      converted = convert();
      load = converted;
    }
    return converted;
  }

  /** Converts the sample as received; called at most once per reader that finds it unconverted. */
  protected abstract NodeLoad convert();

  /** {@link NodeLoad#cpuLoad()}, without converting. */
  public abstract double cpuLoad();

  /** {@link NodeLoad#memoryTotalBytes()}, without converting. */
  public abstract long memoryTotalBytes();

  /** {@link NodeLoad#memoryAvailableBytes()}, without converting. */
  public abstract long memoryAvailableBytes();

  /** {@link NodeLoad#memoryUsedBytes()}, without converting. */
  public final long memoryUsedBytes() {
    return Math.max(0, memoryTotalBytes() - memoryAvailableBytes());
  }

  /** Equal when the samples are: compares the converted loads. */
  @Override
  public final boolean equals(Object o) {
    return o instanceof TelemetrySample other && load().equals(other.load());
  }

  @Override
  public final int hashCode() {
    return load().hashCode();
  }

  @Override
  public String toString() {
    return load().toString();
  }
}
