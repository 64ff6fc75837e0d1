package io.drover.common.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.dropwizard.samplebuilder.SampleBuilder;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry in the Prometheus text format (0.0.4), through the Prometheus client's Dropwizard
 * bridge. Its sample builder puts the labels that {@link Metrics} keeps beside each metric into the
 * samples, and the families get their help text and, for counters, the counter type.
 */
public final class PrometheusExposition {
  /** The content type of the text format. */
  public static final String CONTENT_TYPE = TextFormat.CONTENT_TYPE_004;

  private final CollectorRegistry collectors = new CollectorRegistry();

  public PrometheusExposition(Metrics metrics) {
    new LabelledExports(metrics).register(collectors);
    new ReadTimeCollector(metrics).register(collectors);
  }

  /** Every metric, as a scrape would see it. */
  public String text() {
    StringWriter out = new StringWriter();
    try {
      TextFormat.write004(out, collectors.metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Builds each sample under its family's name, with the metric's labels. */
  static final class LabelledSamples implements SampleBuilder {
    private final Metrics metrics;

    LabelledSamples(Metrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public MetricFamilySamples.Sample createSample(
        String dropwizardName,
        String nameSuffix,
        List<String> additionalLabelNames,
        List<String> additionalLabelValues,
        double value) {
      String suffix = nameSuffix == null ? "" : nameSuffix;
      List<String> extraNames = additionalLabelNames == null ? List.of() : additionalLabelNames;
      List<String> extraValues = additionalLabelValues == null ? List.of() : additionalLabelValues;
      Metrics.Series s = metrics.series(dropwizardName);
      if (s == null) {
        return new MetricFamilySamples.Sample(
            Collector.sanitizeMetricName(dropwizardName + suffix), extraNames, extraValues, value);
      }
      return new MetricFamilySamples.Sample(
          s.family() + suffix,
          Metrics.concat(s.labelNames(), extraNames),
          Metrics.concat(s.labelValues(), extraValues),
          value);
    }
  }

  /** The bridge, with each family's help and type set from what {@link Metrics} knows. */
  static final class LabelledExports extends DropwizardExports {
    private final Metrics metrics;

    LabelledExports(Metrics metrics) {
      super(metrics.registry(), Metrics.REGISTERED_ONLY, new LabelledSamples(metrics));
      this.metrics = metrics;
    }

    @Override
    public List<MetricFamilySamples> collect() {
      List<MetricFamilySamples> out = new ArrayList<>();
      for (MetricFamilySamples f : super.collect()) {
        Metrics.Family known = metrics.family(f.name);
        if (known == null) {
          out.add(f);
        } else if (known.counter()) {
          // The text format names a counter's family without _total and its samples with it.
          String name =
              f.name.endsWith("_total") ? f.name.substring(0, f.name.length() - 6) : f.name;
          out.add(new MetricFamilySamples(name, Collector.Type.COUNTER, known.help(), f.samples));
        } else {
          out.add(new MetricFamilySamples(f.name, f.type, known.help(), f.samples));
        }
      }
      return out;
    }
  }

  /**
   * The {@link ReadTimeGauges}, written straight from their producers into samples: no Dropwizard
   * gauge or name is made for them, and a family without series is left out, as a {@link
   * GaugeFamily} without series is.
   */
  static final class ReadTimeCollector extends Collector implements Collector.Describable {
    private final Metrics metrics;

    ReadTimeCollector(Metrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public List<MetricFamilySamples> collect() {
      List<ReadTimeGauges.Family> declared = metrics.readTimeFamilies();
      if (declared.isEmpty()) {
        return List.of();
      }
      Map<ReadTimeGauges.Family, List<MetricFamilySamples.Sample>> samples =
          new IdentityHashMap<>();
      metrics.produceReadTime(
          (family, value, labelValues) -> {
            family.check(labelValues);
            samples
                .computeIfAbsent(family, f -> new ArrayList<>())
                .add(
                    new MetricFamilySamples.Sample(
                        family.promName, family.labelNames, Arrays.asList(labelValues), value));
          });
      List<MetricFamilySamples> out = new ArrayList<>();
      for (ReadTimeGauges.Family f : declared) {
        List<MetricFamilySamples.Sample> s = samples.get(f);
        if (s != null) {
          out.add(new MetricFamilySamples(f.promName, Collector.Type.GAUGE, f.help, s));
        }
      }
      return out;
    }

    /** The declared families, so that registering does not read the series. */
    @Override
    public List<MetricFamilySamples> describe() {
      List<MetricFamilySamples> out = new ArrayList<>();
      for (ReadTimeGauges.Family f : metrics.readTimeFamilies()) {
        out.add(new MetricFamilySamples(f.promName, Collector.Type.GAUGE, f.help, List.of()));
      }
      return out;
    }
  }
}
