package io.drover.common.metrics;

import io.drover.common.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every daemon does with its registry: JVM metrics, the Prometheus text for {@code /metrics},
 * the reporters of its config, and gauges refreshed before each scrape or report, and every two
 * seconds while a reporter reads the registry by itself (JMX or a scheduled one). With only {@code
 * /metrics}, as by default, no thread refreshes in between: each scrape refreshes first.
 */
public final class MetricsPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsPublisher.class);
  private static final Duration REFRESH = Duration.ofSeconds(2);

  private final Runnable refresh;
  private final PrometheusExposition prometheus;
  private final Reporters reporters;
  private final ScheduledExecutorService refresher;

  /**
   * @param name the daemon's name, as reporters prefix it ({@code drover.agent})
   * @param refresh reads the current state into the registry's gauges
   */
  public MetricsPublisher(Metrics metrics, MetricsConfig config, String name, Runnable refresh) {
    this.refresh = refresh;
    JvmMetrics.register(metrics);
    this.prometheus = config.prometheus() ? new PrometheusExposition(metrics) : null;
    refresh.run();
    this.reporters = Reporters.start(metrics, config, name);
    if (reporters.any()) {
      this.refresher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, name + "-metrics");
                t.setDaemon(true);
                return t;
              });
      refresher.scheduleWithFixedDelay(
          this::refreshQuietly, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    } else {
      this.refresher = null;
    }
  }

  /** Whether {@code /metrics} is served. */
  public boolean prometheusEnabled() {
    return prometheus != null;
  }

  /** {@code GET /metrics}: refreshed, in the Prometheus text format. */
  public HttpResponse scrape() {
    refreshQuietly();
    return new HttpResponse(
        200, PrometheusExposition.CONTENT_TYPE, prometheus.text().getBytes(StandardCharsets.UTF_8));
  }

  /** Reports once with every scheduled reporter. */
  public void reportNow() {
    refreshQuietly();
    reporters.reportNow();
  }

  private void refreshQuietly() {
    try {
      refresh.run();
    } catch (RuntimeException e) {
      log.warn("metrics refresh failed", e);
    }
  }

  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
    reporters.close();
  }
}
