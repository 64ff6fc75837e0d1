package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsFlattenerTest {

  @Test
  void flattensEveryKindOfMetric() {
    MetricRegistry registry = new MetricRegistry();
    registry.timer("requests").update(20, TimeUnit.MILLISECONDS);
    registry.timer("requests").update(20, TimeUnit.MILLISECONDS);
    registry.meter("orders").mark(3);
    registry.counter("queue").inc(7);
    registry.histogram("sizes").update(42);
    registry.gauge("pool.size", () -> () -> 5);
    registry.gauge("name", () -> () -> "not a number");
    registry.gauge(
        "broken",
        () ->
            (Gauge<Integer>)
                () -> {
                  throw new IllegalStateException("faulty gauge");
                });
    registry.gauge("nan", () -> () -> Double.NaN);

    Map<String, Double> flat = new MetricsFlattener(100).flatten(registry);

    assertThat(flat.get("requests.p50")).isCloseTo(0.020, within(1e-6));
    assertThat(flat.get("requests.p99")).isCloseTo(0.020, within(1e-6));
    assertThat(flat.get("requests.mean")).isCloseTo(0.020, within(1e-6));
    assertThat(flat).containsEntry("requests.count", 2.0).containsKey("requests.rate1m");
    assertThat(flat).containsEntry("orders.count", 3.0).containsKey("orders.rate1m");
    assertThat(flat).containsEntry("queue.count", 7.0);
    assertThat(flat).containsEntry("sizes.p99", 42.0).containsEntry("sizes.mean", 42.0);
    assertThat(flat).containsEntry("pool.size", 5.0);
    assertThat(flat).doesNotContainKeys("name", "broken", "nan");
  }

  @Test
  void boundsTheNumberOfValues() {
    MetricRegistry registry = new MetricRegistry();
    for (int i = 0; i < 50; i++) {
      registry.counter("c" + i).inc();
    }
    assertThat(new MetricsFlattener(10).flatten(registry)).hasSize(10);
  }
}
