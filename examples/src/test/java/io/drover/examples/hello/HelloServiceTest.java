package io.drover.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.drover.container.testing.Http;
import io.drover.sdk.ServiceContext;
import io.drover.testing.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HelloService in this JVM, with a stand-in for the container's context. */
class HelloServiceTest {
  private final MetricRegistry metrics = new MetricRegistry();
  private final List<String> overloads = new CopyOnWriteArrayList<>();
  private final HelloService service = new HelloService();
  private final int port = FreePorts.find();
  private boolean started;

  @AfterEach
  void stop() throws Exception {
    System.clearProperty(HelloService.P99_THRESHOLD_MS);
    if (started) {
      service.stop();
    }
  }

  @Test
  void answersTimesRequestsAndStops() throws Exception {
    start();
    assertThat(Http.get(port, "/")).isEqualTo("hello from hello-3\n");
    assertThat(Http.get(port, "/healthz")).isEqualTo("ok\n");
    assertThat(Http.send(port, "/nothing-here").statusCode()).isEqualTo(404);
    // The timer stops after the response is written: the client may see it first.
    await().atMost(Duration.ofSeconds(5)).until(() -> metrics.timer("requests").getCount() == 2);
    assertThat(service.overloadReason()).isNull();

    service.stop();
    started = false;
    assertThat(service.isReady()).isFalse();
    assertThat(Http.accepts(port)).isFalse();
  }

  @Test
  void reportsOverloadAtMostOncePerFiveSeconds() throws Exception {
    System.setProperty(HelloService.P99_THRESHOLD_MS, "0");
    start();
    Http.get(port, "/");
    await().atMost(Duration.ofSeconds(5)).until(() -> metrics.timer("requests").getCount() == 1);

    assertThat(service.overloadReason()).startsWith("p99 of requests over the last minute ");
    service.checkOverload();
    service.checkOverload();
    assertThat(overloads).hasSize(1);
    assertThat(overloads.get(0)).endsWith("> 0 ms");
  }

  private void start() throws Exception {
    service.start(new StubContext());
    started = true;
    assertThat(service.isReady()).isTrue();
  }

  private final class StubContext implements ServiceContext {
    @Override
    public int port() {
      return port;
    }

    @Override
    public int port(String name) {
      return port;
    }

    @Override
    public Map<String, Integer> ports() {
      return Map.of("http", port);
    }

    @Override
    public String serviceName() {
      return "hello";
    }

    @Override
    public String instanceId() {
      return "hello-3";
    }

    @Override
    public MetricRegistry metrics() {
      return metrics;
    }

    @Override
    public void reportOverload(String reason) {
      overloads.add(reason);
    }

    @Override
    public void reportError(String error) {}

    @Override
    public void reportError(Throwable error) {}

    @Override
    public Map<String, String> env() {
      return Map.of();
    }

    @Override
    public List<String> args() {
      return List.of();
    }
  }
}
