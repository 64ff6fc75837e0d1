package io.drover.bench.swarm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Placement throughput: a controller process and N simulated nodes; a catalog asking for I
 * instances is applied, and the clock runs until the controller reports all of them READY (their
 * containers RUNNING). Also weighs the controller's live heap before and after, for the memory
 * benchmark.
 *
 * <p>{@code PlacementBench NODES INSTANCES JSON [warm|cold]}
 */
public final class PlacementBench {
  private PlacementBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: PlacementBench NODES INSTANCES JSON [warm|cold]");
    }
    BenchResult result =
        run(
            Integer.parseInt(args[0]),
            Integer.parseInt(args[1]),
            args.length > 3 && args[3].equals("cold"));
    result.write(Path.of(args[2]));
    System.out.println(line(result));
  }

  /** How evenly placement spread the instances: the fewest and most any node runs. */
  static java.util.IntSummaryStatistics runningPerNode(Swarm swarm) {
    return swarm.agents().stream().mapToInt(SimAgent::runningContainers).summaryStatistics();
  }

  static String line(BenchResult r) {
    return String.format(
        Locale.ROOT,
        "placement nodes=%s instances=%s mode=%s ready=%s in %.2f s: %.0f placements/s (%s;"
            + " all running on the nodes at %s); controller cpu %.2f cores, simulator %.1f s;"
            + " %s to %s per node",
        r.get("nodes"),
        r.get("instances"),
        r.get("mode"),
        r.get("ready"),
        (double) r.get("seconds"),
        (double) r.get("placementsPerSecond"),
        Boolean.TRUE.equals(r.get("complete")) ? "all READY" : "INCOMPLETE",
        r.get("allRunningSeconds") == null
            ? "never"
            : String.format(Locale.ROOT, "%.2f s", (double) r.get("allRunningSeconds")),
        (double) r.get("controllerCpuCores"),
        (double) r.get("simulatorCpuSeconds"),
        r.get("runningPerNodeMin"),
        r.get("runningPerNodeMax"));
  }

  /**
   * Runs the scenario once.
   *
   * @param cold place in cold mode (one StartContainers per instance) instead of warm (a spare
   *     container started, then assigned)
   */
  /** Instances placed and removed before the measured run, unless -Ddrover.bench.noWarmup. */
  static final int WARMUP_INSTANCES = 10_000;

  /**
   * Controller settings from {@code -Ddrover.bench.controllerEnv=DROVER_A=1,DROVER_B=2}: a run that
   * measures the scheduler alone can give the starved simulator a longer {@code lostAfter}.
   */
  static Map<String, String> controllerSettings() {
    Map<String, String> settings = new java.util.LinkedHashMap<>();
    String given = System.getProperty("drover.bench.controllerEnv", "");
    for (String pair : given.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || !pair.startsWith("DROVER_")) {
        throw new IllegalArgumentException(
            "drover.bench.controllerEnv: '" + pair + "' is not DROVER_NAME=value");
      }
      settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return settings;
  }

  public static BenchResult run(int nodes, int instances, boolean cold) throws Exception {
    int services = Math.max(1, (instances + 999) / 1000);
    int replicas = (instances + services - 1) / services;
    int total = services * replicas;
    Duration timeout =
        Duration.ofSeconds(
            Long.getLong("drover.bench.timeoutSeconds", Math.max(120, total / 2000L)));
    BenchResult result = new BenchResult("placement");
    try (SwarmScenario scenario =
        new SwarmScenario(nodes, Duration.ZERO, 20, controllerSettings())) {
      ControllerProcess controller = scenario.controller;
      long heapNodes = controller.heapAfterGc();
      String jfr = System.getProperty("drover.bench.jfr");
      if (jfr != null) {
        controller.startFlightRecording(Path.of(jfr));
      }
      double warmupSeconds = 0;
      if (!Boolean.getBoolean("drover.bench.noWarmup")) {
        warmupSeconds = warmUp(scenario, Math.min(total, WARMUP_INSTANCES), cold, timeout);
      }
      String yaml = scenario.catalog(services, replicas, cold, 0);
      long cpuBefore = controller.cpuNanos();
      long commandsBefore = commands(scenario.swarm);
      long simulatorCpuBefore = simulatorCpuNanos();
      double passesBefore = controller.metric("drover_reconcile_duration_seconds_count");
      Map<String, Long> threadsBefore = ProcStat.cpuNanosByThread(controller.pid());
      long started = System.nanoTime();
      // When the simulated nodes first ran every container: the controller's READY comes later,
      // and at a million a ListServices call can itself take tens of seconds.
      java.util.concurrent.atomic.AtomicLong allRunningAt =
          new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.ScheduledFuture<?> runningWatch =
          scenario
              .swarm
              .timer()
              .scheduleAtFixedRate(
                  () -> {
                    if (allRunningAt.get() == 0 && scenario.swarm.running() >= total) {
                      allRunningAt.set(System.nanoTime());
                    }
                  },
                  100,
                  100,
                  java.util.concurrent.TimeUnit.MILLISECONDS);
      scenario.apply(yaml);
      List<List<Number>> timeline = new ArrayList<>();
      long ready = 0;
      long lastSample = 0;
      while (System.nanoTime() - started < timeout.toNanos()) {
        try {
          ready = scenario.readyInstances();
        } catch (RuntimeException slow) {
          System.err.println("ListServices failed: " + slow);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (ready >= total) {
          break;
        }
        if (seconds - lastSample >= 1) {
          lastSample = (long) seconds;
          timeline.add(List.of(Math.round(seconds * 10) / 10.0, ready));
          System.err.printf(
              Locale.ROOT,
              "%.0f s: %d of %d READY, %d running on the simulated nodes%n",
              seconds,
              ready,
              total,
              scenario.swarm.running());
        }
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      runningWatch.cancel(false);
      double runningSeconds =
          allRunningAt.get() == 0 ? Double.NaN : (allRunningAt.get() - started) / 1e9;
      double cpuSeconds = (controller.cpuNanos() - cpuBefore) / 1e9;
      double simulatorCpuSeconds = (simulatorCpuNanos() - simulatorCpuBefore) / 1e9;
      double passes = controller.metric("drover_reconcile_duration_seconds_count") - passesBefore;
      Map<String, Double> threadSeconds = new java.util.TreeMap<>();
      ProcStat.cpuNanosByThread(controller.pid())
          .forEach(
              (thread, nanos) -> {
                double spent = (nanos - threadsBefore.getOrDefault(thread, 0L)) / 1e9;
                if (spent >= 0.05) {
                  threadSeconds.put(thread, Math.round(spent * 100) / 100.0);
                }
              });
      timeline.add(List.of(Math.round(seconds * 100) / 100.0, ready));
      if (jfr != null) {
        controller.dumpFlightRecording(Path.of(jfr));
      }
      long heapInstances = controller.heapAfterGc();
      String histogram = System.getProperty("drover.bench.histogram");
      if (histogram != null) {
        java.nio.file.Files.writeString(Path.of(histogram), controller.classHistogram());
      }
      result
          .put("nodes", nodes)
          .put("instances", total)
          .put("services", services)
          .put("mode", cold ? "cold" : "warm")
          .put("controllerSettings", controllerSettings().toString())
          .put("ready", ready)
          .put("complete", ready >= total)
          .put("seconds", seconds)
          .put("placementsPerSecond", ready / seconds)
          .put("allRunningSeconds", Double.isNaN(runningSeconds) ? null : runningSeconds)
          .put("controllerCpuSeconds", cpuSeconds)
          .put("controllerCpuCores", cpuSeconds / seconds)
          .put("simulatorCpuSeconds", simulatorCpuSeconds)
          .put("reconcilePasses", (long) passes)
          .put("warmupSeconds", warmupSeconds)
          .put("controllerCpuSecondsByThread", threadSeconds)
          .put("controllerHeapEmptyBytes", scenario.heapWithoutNodes)
          .put("controllerHeapWithNodesBytes", heapNodes)
          .put("heapPerNodeBytes", (heapNodes - scenario.heapWithoutNodes) / (double) nodes)
          .put("controllerHeapWithInstancesBytes", heapInstances)
          .put("controllerRssBytes", controller.rssBytes())
          .put(
              "heapPerInstanceBytes", ready == 0 ? 0 : (heapInstances - heapNodes) / (double) ready)
          .put("commandsPerInstance", (commands(scenario.swarm) - commandsBefore) / (double) total)
          .put("containersNotRunning", containers(scenario.swarm) - scenario.swarm.running())
          .put("runningPerNodeMin", runningPerNode(scenario.swarm).getMin())
          .put("runningPerNodeMax", runningPerNode(scenario.swarm).getMax())
          .put("agentDisconnects", scenario.swarm.disconnects())
          .put("lastDisconnect", scenario.swarm.lastDisconnect())
          .put("timeline", timeline);
    }
    return result;
  }

  /** CPU time of this JVM, the simulator's: it shares the cores with the controller. */
  private static long simulatorCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Places {@code instances} and takes them away again, before the measured run: a fresh controller
   * spends more CPU compiling its placement paths (C2) than placing the first ten thousand
   * instances, which no steady controller pays. Returns how long that first placement took.
   */
  private static double warmUp(
      SwarmScenario scenario, int instances, boolean cold, Duration timeout) throws Exception {
    int services = Math.max(1, (instances + 999) / 1000);
    int replicas = (instances + services - 1) / services;
    long started = System.nanoTime();
    scenario.apply(scenario.catalog(services, replicas, cold, 0));
    SwarmScenario.waitFor(
        timeout,
        "the warm-up's " + services * replicas + " instances READY",
        () -> scenario.readyInstances() >= (long) services * replicas);
    double seconds = (System.nanoTime() - started) / 1e9;
    scenario.apply("services: []\n");
    SwarmScenario.waitFor(
        timeout, "the warm-up's containers gone", () -> containers(scenario.swarm) == 0);
    System.err.printf(
        Locale.ROOT,
        "warm-up: %d instances READY in %.2f s, then removed%n",
        services * replicas,
        seconds);
    return seconds;
  }

  /** Commands the simulated agents carried out: one per container started was the old cost. */
  private static long commands(Swarm swarm) {
    return swarm.agents().stream().mapToLong(SimAgent::commandsHandled).sum();
  }

  /** Containers on the simulated nodes, whatever their state. */
  private static long containers(Swarm swarm) {
    return swarm.agents().stream().mapToLong(SimAgent::containerCount).sum();
  }
}
