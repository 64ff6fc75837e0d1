package io.drover.bench;

import io.drover.v1.InstanceState;
import io.drover.v1.ScaleServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * From {@code ScaleService +1} to the new instance accepting TCP on its port, for a warm service
 * (an IDLE container of the pool takes it) and a cold one (a JVM is started for it), in the same
 * run on the same machine. A real controller and agent in this JVM, real container JVMs.
 *
 * <pre>java -cp bench/target/drover-bench.jar io.drover.bench.ScaleLatencyBench [RUNS] [JSON]</pre>
 */
public final class ScaleLatencyBench {
  private static final int WARMUP = 5;
  private static final InstanceState[] LIVE = {
    InstanceState.INSTANCE_STATE_PENDING,
    InstanceState.INSTANCE_STATE_STARTING,
    InstanceState.INSTANCE_STATE_READY,
    InstanceState.INSTANCE_STATE_DRAINING,
    InstanceState.INSTANCE_STATE_STOPPING
  };

  private ScaleLatencyBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path json = Path.of(args.length > 1 ? args[1] : "bench/results/scale-latency.json");
    String catalog =
        """
        profiles:
          small: {heapMb: 64, flags: [-XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xss512k]}
        services:
          - {name: warm, artifact: {path: %s}, entry: io.drover.examples.hello.HelloService,
             profile: small, replicas: {min: 0, max: 10, initial: 0}, ports: [http], warmPool: 2,
             gracePeriod: 1s}
          - {name: cold, artifact: {path: %s}, entry: io.drover.examples.hello.HelloService,
             mode: cold, profile: small, replicas: {min: 0, max: 10, initial: 0}, ports: [http],
             gracePeriod: 1s}
        """;
    try (BenchCluster cluster = new BenchCluster(catalog)) {
      // The first runs also time the JIT compiling the controller's and agent's paths; they
      // are reported apart, as JMH does with its warm-up iterations.
      List<Double> warmup = measure(cluster, "warm", WARMUP, () -> cluster.idleContainers() >= 2);
      List<Double> warm = measure(cluster, "warm", runs, () -> cluster.idleContainers() >= 2);
      List<Double> cold = measure(cluster, "cold", runs, () -> true);
      report(runs, warmup, warm, cold, json);
    }
  }

  private static List<Double> measure(
      BenchCluster cluster, String service, int runs, BooleanSupplier ready) throws Exception {
    List<Double> millis = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      BenchCluster.waitFor(
          () -> cluster.instances(service, LIVE).isEmpty() && ready.getAsBoolean());
      long start = System.nanoTime();
      cluster
          .call()
          .scaleService(
              ScaleServiceRequest.newBuilder().setService(service).setReplicas(1).build());
      // The port is read again on every try: the bind test may move the instance to another.
      while (!BenchCluster.acceptsOnItsPort(cluster.instances(service, LIVE), Set.of())) {
        BenchCluster.check(start);
      }
      millis.add((System.nanoTime() - start) / 1e6);
      cluster
          .call()
          .scaleService(
              ScaleServiceRequest.newBuilder().setService(service).setReplicas(0).build());
      System.err.printf(Locale.ROOT, "%s run %d: %.1f ms%n", service, run + 1, millis.get(run));
    }
    return millis;
  }

  private static void report(
      int runs, List<Double> warmup, List<Double> warm, List<Double> cold, Path json)
      throws Exception {
    double warmP50 = BenchCluster.percentile(warm, 50);
    double warmP99 = BenchCluster.percentile(warm, 99);
    double coldP50 = BenchCluster.percentile(cold, 50);
    double coldP99 = BenchCluster.percentile(cold, 99);
    System.out.println(
        String.format(
            Locale.ROOT,
            "scale-latency runs=%d warm p50=%.1fms p99=%.1fms cold p50=%.1fms p99=%.1fms"
                + " warm/cold p50=%.3f; the first %d warm runs, not counted: %s ms",
            runs,
            warmP50,
            warmP99,
            coldP50,
            coldP99,
            warmP50 / coldP50,
            warmup.size(),
            warmup.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()));
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(
        json,
        String.format(
            Locale.ROOT,
            "{\"runs\":%d,\"warmupMs\":%s,\"warmP50Ms\":%.2f,\"warmP99Ms\":%.2f,\"coldP50Ms\":%.2f,"
                + "\"coldP99Ms\":%.2f,\"warmOverColdP50\":%.4f,\"cores\":%d,\"java\":\"%s\"}%n",
            runs,
            warmup,
            warmP50,
            warmP99,
            coldP50,
            coldP99,
            warmP50 / coldP50,
            Runtime.getRuntime().availableProcessors(),
            Runtime.version()));
  }
}
