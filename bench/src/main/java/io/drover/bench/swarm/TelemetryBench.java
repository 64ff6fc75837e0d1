package io.drover.bench.swarm;

import io.drover.v1.GetNodeRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Telemetry ingestion: N simulated agents, each running 20 containers (IDLE spares it had when it
 * joined, so that no placement runs), send a sample a second. Measured: the controller's CPU over a
 * window in which nothing but telemetry arrives; its live heap and RSS; then, with readers polling,
 * the time from an agent handing a sample to its transport until the sample is visible through
 * {@code ListNodes} (each node's {@code telemetry_at_ms}), and through {@code GetNode} of a few
 * probe nodes polled in turn (a finer clock, since one ListNodes of many nodes takes a while
 * itself).
 *
 * <p>{@code TelemetryBench NODES JSON [CPU_WINDOW_SECONDS] [LATENCY_WINDOW_SECONDS]}; {@code
 * -Ddrover.bench.jfr=FILE} records the controller with JFR during the CPU window.
 */
public final class TelemetryBench {
  private static final int CONTAINERS = 20;
  private static final int PROBES = 50;

  private TelemetryBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "usage: TelemetryBench NODES JSON [CPU_WINDOW_SECONDS] [LATENCY_WINDOW_SECONDS]");
    }
    BenchResult result =
        run(
            Integer.parseInt(args[0]),
            Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 60),
            Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 30));
    result.write(Path.of(args[1]));
    System.out.println(line(result));
  }

  static String line(BenchResult r) {
    return String.format(
        Locale.ROOT,
        "telemetry nodes=%s containers/node=%s at 1 Hz: controller cpu %.3f cores, heap %.1f MiB,"
            + " rss %.0f MiB; sent->visible p50/p99 ListNodes %.1f/%.1f ms (%s samples, ListNodes"
            + " call p50 %.1f ms), GetNode %.1f/%.1f ms (%s samples)",
        r.get("nodes"),
        r.get("containersPerNode"),
        (double) r.get("controllerCpuCores"),
        (long) r.get("controllerHeapBytes") / 1048576.0,
        (long) r.get("controllerRssBytes") / 1048576.0,
        (double) r.get("listNodesVisibleP50Ms"),
        (double) r.get("listNodesVisibleP99Ms"),
        r.get("listNodesSamples"),
        (double) r.get("listNodesCallP50Ms"),
        (double) r.get("getNodeVisibleP50Ms"),
        (double) r.get("getNodeVisibleP99Ms"),
        r.get("getNodeSamples"));
  }

  public static BenchResult run(int nodes, Duration cpuWindow, Duration latencyWindow)
      throws Exception {
    BenchResult result = new BenchResult("telemetry");
    // The containers are there when the agents join (as after an agent restart), so that only
    // telemetry is measured, not ten thousand warm pools being filled.
    try (SwarmScenario scenario =
        new SwarmScenario(nodes, CONTAINERS, Duration.ofSeconds(1), CONTAINERS, Map.of())) {
      ControllerProcess controller = scenario.controller;
      // Let the joins and the container events settle; then only telemetry arrives.
      TimeUnit.SECONDS.sleep(10);
      // -Ddrover.bench.jfr=FILE records the controller during the CPU window (the recording costs
      // CPU itself, so a CPU figure is taken without it).
      String jfr = System.getProperty("drover.bench.jfr");
      if (jfr != null) {
        controller.startFlightRecording(Path.of(jfr));
      }
      long cpuBefore = controller.cpuNanos();
      long windowStart = System.nanoTime();
      TimeUnit.NANOSECONDS.sleep(cpuWindow.toNanos());
      double cpuSeconds = (controller.cpuNanos() - cpuBefore) / 1e9;
      double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
      if (jfr != null) {
        controller.dumpFlightRecording(Path.of(jfr));
      }
      long rss = controller.rssBytes();

      Map<String, SimAgent> byId = new HashMap<>();
      for (SimAgent a : scenario.swarm.agents()) {
        byId.put(a.nodeId(), a);
      }
      List<Double> viaList = Collections.synchronizedList(new ArrayList<>());
      List<Double> listCalls = Collections.synchronizedList(new ArrayList<>());
      List<Double> viaGet = Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + latencyWindow.toNanos();
      long cpuLatencyBefore = controller.cpuNanos();
      Thread lister =
          new Thread(
              () -> {
                Map<String, Long> seen = new HashMap<>();
                while (System.nanoTime() < end) {
                  long asked = System.nanoTime();
                  List<Node> listed;
                  try {
                    listed =
                        controller
                            .control()
                            .listNodes(ListNodesRequest.getDefaultInstance())
                            .getNodesList();
                  } catch (RuntimeException e) {
                    continue;
                  }
                  long answered = System.nanoTime();
                  listCalls.add((answered - asked) / 1e6);
                  for (Node n : listed) {
                    Long before = seen.put(n.getId(), n.getTelemetryAtMs());
                    if (before != null && before != n.getTelemetryAtMs()) {
                      SimAgent a = byId.get(n.getId());
                      long sent = a == null ? -1 : a.sentAtNanos(n.getTelemetryAtMs());
                      if (sent > 0) {
                        viaList.add((answered - sent) / 1e6);
                      }
                    }
                  }
                }
              },
              "list-nodes-reader");
      Thread prober =
          new Thread(
              () -> {
                List<SimAgent> agents = scenario.swarm.agents();
                int probes = Math.min(PROBES, agents.size());
                long[] seen = new long[probes];
                while (System.nanoTime() < end) {
                  for (int i = 0; i < probes; i++) {
                    SimAgent a = agents.get(i * agents.size() / probes);
                    Node n;
                    try {
                      n =
                          controller
                              .control()
                              .getNode(GetNodeRequest.newBuilder().setNode(a.nodeId()).build());
                    } catch (RuntimeException e) {
                      continue;
                    }
                    long answered = System.nanoTime();
                    if (seen[i] != 0 && seen[i] != n.getTelemetryAtMs()) {
                      long sent = a.sentAtNanos(n.getTelemetryAtMs());
                      if (sent > 0) {
                        viaGet.add((answered - sent) / 1e6);
                      }
                    }
                    seen[i] = n.getTelemetryAtMs();
                  }
                }
              },
              "get-node-prober");
      lister.start();
      prober.start();
      lister.join();
      prober.join();
      double cpuWithReaders =
          (controller.cpuNanos() - cpuLatencyBefore) / 1e9 / (latencyWindow.toNanos() / 1e9);
      long heap = controller.heapAfterGc();
      result
          .put("nodes", nodes)
          .put("containersPerNode", CONTAINERS)
          .put("telemetryHz", 1)
          .put("cpuWindowSeconds", windowSeconds)
          .put("controllerCpuCores", cpuSeconds / windowSeconds)
          .put("controllerCpuCoresWithReaders", cpuWithReaders)
          .put("controllerHeapBytes", heap)
          .put("controllerRssBytes", rss)
          .put("latencyWindowSeconds", latencyWindow.toSeconds())
          .put("listNodesSamples", viaList.size())
          .put("listNodesVisibleP50Ms", percentile(viaList, 50))
          .put("listNodesVisibleP99Ms", percentile(viaList, 99))
          .put("listNodesCallP50Ms", percentile(listCalls, 50))
          .put("listNodesCallP99Ms", percentile(listCalls, 99))
          .put("getNodeProbes", Math.min(PROBES, nodes))
          .put("getNodeSamples", viaGet.size())
          .put("getNodeVisibleP50Ms", percentile(viaGet, 50))
          .put("getNodeVisibleP99Ms", percentile(viaGet, 99))
          .put("agentDisconnects", scenario.swarm.disconnects())
          .put("lastDisconnect", scenario.swarm.lastDisconnect());
    }
    return result;
  }

  static double percentile(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted;
    synchronized (values) {
      sorted = new ArrayList<>(values);
    }
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
