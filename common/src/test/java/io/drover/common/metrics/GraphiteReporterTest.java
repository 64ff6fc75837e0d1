package io.drover.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GraphiteReporterTest {

  @Test
  void sendsOneWellFormedLinePerValue() throws Exception {
    Metrics metrics = new Metrics();
    metrics
        .gaugeFamily("drover.node.cpu_load", "load", "node")
        .set(Map.of(List.of("web 1.example.com"), 0.25));
    metrics.counter("drover.placements", "placed", "node", "n1", "mode", "warm").inc(2);
    metrics.timer("drover.reconcile.duration", "pass").update(Duration.ofMillis(3));
    JvmMetrics.register(metrics);

    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<List<String>> received =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> lines = new ArrayList<>();
                try (Socket s = server.accept();
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                  String raw =
                      new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                  assertThat(raw).endsWith("\n");
                  lines.addAll(List.of(raw.split("\n")));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return lines;
              });
      MetricsConfig config =
          MetricsConfig.defaults()
              .withGraphite(
                  new MetricsConfig.Graphite(
                      "127.0.0.1", server.getLocalPort(), "test", Duration.ofHours(1)));
      try (Reporters reporters = Reporters.start(metrics, config, "drover.test")) {
        reporters.reportNow();
      }
      List<String> lines = received.get(30, TimeUnit.SECONDS);

      long now = System.currentTimeMillis() / 1000;
      assertThat(lines).isNotEmpty();
      for (String line : lines) {
        assertThat(line)
            .matches("[A-Za-z0-9_.-]+ (-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN) [0-9]+");
        long timestamp = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        assertThat(timestamp).isBetween(now - 60, now + 60);
      }
      assertThat(lines)
          .anyMatch(l -> l.startsWith("test.drover.node.cpu_load.web_1_example_com 0.25 "))
          .anyMatch(l -> l.startsWith("test.drover.placements.n1.warm.count 2 "))
          .anyMatch(l -> l.startsWith("test.drover.reconcile.duration.count 1 "));
    }
  }
}
