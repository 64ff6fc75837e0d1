package io.drover.common.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Gauge families whose series are produced each time the registry is read (a Prometheus scrape, a
 * scheduled report) and kept nowhere in between: no gauge, name or label list per series lives
 * between two reads. For series as numerous as a cluster's containers, where registered gauges
 * ({@link GaugeFamily}) would cost heap per series for as long as the series exists.
 *
 * <p>The Prometheus endpoint writes them as gauges with their labels, and the scheduled reporters
 * (console, CSV, SLF4J, Graphite) see them under the same Dropwizard names a {@link GaugeFamily}
 * would give them. JMX does not: its MBeans are registered ahead of any read.
 */
public final class ReadTimeGauges {
  /** Writes the current series into the sink; called on every read, from the reading thread. */
  @FunctionalInterface
  public interface Producer {
    void produce(Sink out);
  }

  /** Where a producer writes its series. */
  @FunctionalInterface
  public interface Sink {
    /**
     * One series.
     *
     * @param labelValues in the order of the family's label names
     */
    void add(Family family, double value, String... labelValues);
  }

  /** One family: its base name, help and label names. */
  public static final class Family {
    final String base;
    final String promName;
    final String help;
    final List<String> labelNames;

    Family(String base, String help, List<String> labelNames) {
      this.base = base;
      this.promName = Metrics.promName(base);
      this.help = help;
      this.labelNames = List.copyOf(labelNames);
    }

    /** Throws if the values do not fit the label names; a null value becomes empty. */
    void check(String[] labelValues) {
      if (labelValues.length != labelNames.size()) {
        throw new IllegalArgumentException(
            base + " takes labels " + labelNames + ", not " + Arrays.asList(labelValues));
      }
      for (int i = 0; i < labelValues.length; i++) {
        if (labelValues[i] == null) {
          labelValues[i] = "";
        }
      }
    }

    @Override
    public String toString() {
      return base;
    }
  }

  private final Metrics metrics;
  private final Producer producer;

  ReadTimeGauges(Metrics metrics, Producer producer) {
    this.metrics = metrics;
    this.producer = producer;
  }

  /** Declares a family; declare every family before the first read. */
  public Family family(String base, String help, String... labelNames) {
    Family f = new Family(base, help, List.of(labelNames));
    metrics.declare(f);
    return f;
  }

  void produce(Sink out) {
    producer.produce(out);
  }
}
