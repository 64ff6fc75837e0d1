package io.drover.bench;

import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ScaleServiceRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The scale-up reaction time: from a service's overload report to a new instance, taken from the
 * warm pool, accepting connections. Each run asks one instance of hello to report overload (GET
 * /overload), waits for the new instance's port to accept, then scales back.
 *
 * <pre>java -cp bench/target/drover-bench.jar io.drover.bench.OverloadReactionBench [RUNS] [JSON]
 * </pre>
 */
public final class OverloadReactionBench {
  private static final InstanceState[] LIVE = {
    InstanceState.INSTANCE_STATE_PENDING,
    InstanceState.INSTANCE_STATE_STARTING,
    InstanceState.INSTANCE_STATE_READY,
    InstanceState.INSTANCE_STATE_DRAINING,
    InstanceState.INSTANCE_STATE_STOPPING
  };
  private static final int WARMUP = 5;

  private OverloadReactionBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path json = Path.of(args.length > 1 ? args[1] : "bench/results/overload-reaction.json");
    String catalog =
        """
        profiles:
          small: {heapMb: 64, flags: [-XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xss512k]}
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            profile: small
            replicas: {min: 1, max: 10, initial: 1}
            ports: [http]
            warmPool: 2
            gracePeriod: 1s
            systemProperties: {hello.overloadEndpoint: "true"}
            scaling: {overload: true, overloadCooldown: 0s, upCooldown: 0s, interval: 10m}
        """;
    HttpClient http = HttpClient.newHttpClient();
    try (BenchCluster cluster = new BenchCluster(catalog)) {
      List<Double> warmup = measure(cluster, http, WARMUP);
      List<Double> millis = measure(cluster, http, runs);
      double p50 = BenchCluster.percentile(millis, 50);
      double p99 = BenchCluster.percentile(millis, 99);
      String line =
          String.format(
              Locale.ROOT,
              "overload-reaction runs=%d p50=%.1fms p99=%.1fms max=%.1fms; first %d runs, not counted: %s ms",
              runs,
              p50,
              p99,
              BenchCluster.percentile(millis, 100),
              WARMUP,
              warmup.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
      System.out.println(line);
      Files.createDirectories(json.toAbsolutePath().getParent());
      Files.writeString(
          json,
          String.format(
              Locale.ROOT,
              "{\"runs\":%d,\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"warmupMs\":%s,\"cores\":%d,\"java\":\"%s\"}%n",
              runs,
              p50,
              p99,
              warmup,
              Runtime.getRuntime().availableProcessors(),
              Runtime.version()));
    }
  }

  private static List<Double> measure(BenchCluster cluster, HttpClient http, int runs)
      throws Exception {
    List<Double> millis = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      BenchCluster.waitFor(
          () ->
              cluster.instances("hello", LIVE).size() == 1
                  && cluster.instances("hello", InstanceState.INSTANCE_STATE_READY).size() == 1
                  && cluster.idleContainers() >= 2);
      Instance existing = cluster.instances("hello", InstanceState.INSTANCE_STATE_READY).get(0);
      Set<String> before = Set.of(existing.getId());
      long start = System.nanoTime();
      http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + existing.getPorts(0).getPort() + "/overload"))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      // The port is read again on every try: the bind test may move the instance to another.
      while (!BenchCluster.acceptsOnItsPort(cluster.instances("hello", LIVE), before)) {
        BenchCluster.check(start);
      }
      millis.add((System.nanoTime() - start) / 1e6);
      System.err.printf(Locale.ROOT, "run %d: %.1f ms%n", run + 1, millis.get(run));
      cluster
          .call()
          .scaleService(
              ScaleServiceRequest.newBuilder().setService("hello").setReplicas(1).build());
    }
    return millis;
  }

  static String ids(List<Instance> instances) {
    return instances.stream().map(Instance::getId).collect(Collectors.joining(","));
  }
}
