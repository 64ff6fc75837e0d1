package io.drover.bench;

import io.drover.bench.swarm.BenchResult;
import io.drover.bench.swarm.ControllerProcess;
import io.drover.bench.swarm.SwarmScenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the per-container metrics cost the controller: N simulated nodes, each running 20 containers
 * when it joins and reporting their loads every 2 s; the controller's live heap is weighed before
 * its first {@code /metrics} scrape and after it (what a scrape leaves behind until the next one),
 * and the controller CPU of each of a few scrapes is taken.
 *
 * <p>{@code -Ddrover.bench.histogram=FILE} writes the controller's class histograms before the
 * first scrape and after it ({@code FILE.before}, {@code FILE.after}).
 *
 * <p>{@code ContainerMetricsBench NODES JSON [SCRAPES]}
 */
public final class ContainerMetricsBench {
  private static final int CONTAINERS = 20;

  private ContainerMetricsBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ContainerMetricsBench NODES JSON [SCRAPES]");
    }
    int nodes = Integer.parseInt(args[0]);
    int scrapes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    BenchResult result = run(nodes, scrapes);
    result.write(Path.of(args[1]));
    System.out.println(line(result));
  }

  static String line(BenchResult r) {
    return String.format(
        Locale.ROOT,
        "container-metrics nodes=%s containers=%s series=%s: a scrape leaves %.0f bytes/container"
            + " on the heap; scrape %.2f s of controller CPU, %.2f s wall, %.1f MiB of text",
        r.get("nodes"),
        r.get("containers"),
        r.get("containerSeries"),
        (double) r.get("heapLeftPerContainerBytes"),
        (double) r.get("scrapeCpuSecondsMean"),
        (double) r.get("scrapeWallSecondsMean"),
        (int) r.get("scrapeBytes") / 1048576.0);
  }

  public static BenchResult run(int nodes, int scrapes) throws Exception {
    BenchResult result = new BenchResult("container-metrics");
    HttpClient http = HttpClient.newHttpClient();
    try (SwarmScenario scenario =
        new SwarmScenario(nodes, CONTAINERS, Duration.ofSeconds(2), CONTAINERS, Map.of())) {
      ControllerProcess controller = scenario.controller;
      URI metrics = URI.create("http://127.0.0.1:" + controller.httpPort() + "/metrics");
      // Let the joins settle and every node report its containers' loads at least twice; a scrape
      // here would already leave behind what is to be weighed.
      TimeUnit.SECONDS.sleep(10);
      long before = controller.heapAfterGc();
      // -Ddrover.bench.histogram=FILE writes the controller's class histograms before the first
      // scrape (FILE.before) and after it (FILE.after), to see what a scrape leaves.
      String histogram = System.getProperty("drover.bench.histogram");
      if (histogram != null) {
        Files.writeString(Path.of(histogram + ".before"), controller.classHistogram());
      }

      double cpu = 0;
      double wall = 0;
      int bytes = 0;
      long series = 0;
      long heapAfterFirst = 0;
      for (int i = 0; i < scrapes; i++) {
        long cpuBefore = controller.cpuNanos();
        long started = System.nanoTime();
        String text =
            http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        wall += (System.nanoTime() - started) / 1e9;
        cpu += (controller.cpuNanos() - cpuBefore) / 1e9;
        bytes = text.length();
        series = text.lines().filter(l -> l.startsWith("drover_container_cpu_percent{")).count();
        if (i == 0) {
          heapAfterFirst = controller.heapAfterGc();
          if (histogram != null) {
            Files.writeString(Path.of(histogram + ".after"), controller.classHistogram());
          }
        }
      }
      long containers = (long) nodes * CONTAINERS;
      result
          .put("nodes", nodes)
          .put("containers", containers)
          .put("containerSeries", series)
          .put("scrapes", scrapes)
          .put("controllerHeapBeforeScrapeBytes", before)
          .put("controllerHeapAfterScrapeBytes", heapAfterFirst)
          .put("heapLeftPerContainerBytes", (heapAfterFirst - before) / (double) containers)
          .put("scrapeCpuSecondsMean", cpu / scrapes)
          .put("scrapeWallSecondsMean", wall / scrapes)
          .put("scrapeBytes", bytes)
          .put("controllerRssBytes", controller.rssBytes());
    }
    return result;
  }
}
