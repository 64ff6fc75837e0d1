package io.drover.common.metrics;

import com.codahale.metrics.ConsoleReporter;
import com.codahale.metrics.CsvReporter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.ScheduledReporter;
import com.codahale.metrics.Slf4jReporter;
import com.codahale.metrics.graphite.Graphite;
import com.codahale.metrics.graphite.GraphiteReporter;
import com.codahale.metrics.jmx.JmxReporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reporters a {@link MetricsConfig} turns on, started at once and stopped together. */
public final class Reporters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reporters.class);

  private final List<ScheduledReporter> scheduled = new ArrayList<>();
  private JmxReporter jmx;

  private Reporters() {}

  /**
   * Starts the reporters of {@code config} over {@code metrics}.
   *
   * @param jmxDomain the JMX domain of this process ({@code drover.controller}, {@code
   *     drover.agent})
   */
  public static Reporters start(Metrics metrics, MetricsConfig config, String jmxDomain) {
    MetricRegistry registry = metrics.registry();
    Reporters r = new Reporters();
    try {
      if (config.jmx()) {
        r.jmx = JmxReporter.forRegistry(registry).inDomain(jmxDomain).build();
        r.jmx.start();
      }
      if (config.console()) {
        r.add(
            ConsoleReporter.forRegistry(registry)
                .outputTo(System.out)
                .formattedFor(Locale.ROOT)
                .convertRatesTo(TimeUnit.SECONDS)
                .convertDurationsTo(TimeUnit.MILLISECONDS)
                .build(),
            config.interval());
      }
      if (config.csvDir().isPresent()) {
        try {
          Files.createDirectories(config.csvDir().get());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot create metrics.csv.dir " + config.csvDir().get(), e);
        }
        r.add(
            CsvReporter.forRegistry(registry)
                .formatFor(Locale.ROOT)
                .convertRatesTo(TimeUnit.SECONDS)
                .convertDurationsTo(TimeUnit.MILLISECONDS)
                .build(config.csvDir().get().toFile()),
            config.interval());
      }
      if (config.slf4j()) {
        r.add(
            Slf4jReporter.forRegistry(registry)
                .outputTo(LoggerFactory.getLogger("drover.metrics"))
                .convertRatesTo(TimeUnit.SECONDS)
                .convertDurationsTo(TimeUnit.MILLISECONDS)
                .build(),
            config.interval());
      }
      config
          .graphite()
          .ifPresent(
              g ->
                  r.add(
                      GraphiteReporter.forRegistry(registry)
                          .prefixedWith(g.prefix().isBlank() ? null : g.prefix())
                          .convertRatesTo(TimeUnit.SECONDS)
                          .convertDurationsTo(TimeUnit.MILLISECONDS)
                          .build(new Graphite(g.host(), g.port())),
                      g.interval()));
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private void add(ScheduledReporter reporter, Duration every) {
    scheduled.add(reporter);
    reporter.start(every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether any reporter reads the registry by itself (JMX, or one on a schedule). */
  public boolean any() {
    return jmx != null || !scheduled.isEmpty();
  }

  /** Reports once now with every scheduled reporter (tests, and a last report at stop). */
  public void reportNow() {
    for (ScheduledReporter reporter : scheduled) {
      try {
        reporter.report();
      } catch (RuntimeException e) {
        log.warn("metrics reporter {} failed", reporter.getClass().getSimpleName(), e);
      }
    }
  }

  @Override
  public void close() {
    for (ScheduledReporter reporter : scheduled) {
      reporter.stop();
    }
    scheduled.clear();
    if (jmx != null) {
      jmx.stop();
      jmx = null;
    }
  }
}
