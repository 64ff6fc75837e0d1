package io.drover.bench.swarm;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The controller's memory per node and per instance: its live heap after a full collection, empty,
 * with N simulated nodes joined, and with I instances READY on them (the placement scenario).
 *
 * <p>{@code ControllerMemoryBench NODES INSTANCES JSON}
 */
public final class ControllerMemoryBench {
  private ControllerMemoryBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: ControllerMemoryBench NODES INSTANCES JSON");
    }
    BenchResult result =
        PlacementBench.run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), false);
    result.put("benchmark", "controller-memory");
    result.write(Path.of(args[2]));
    System.out.println(line(result));
  }

  static String line(BenchResult r) {
    return String.format(
        Locale.ROOT,
        "controller-memory nodes=%s instances=%s heap empty %.1f MiB, with nodes %.1f MiB, with"
            + " instances %.1f MiB: %.0f bytes/node, %.0f bytes/instance (RSS %.0f MiB)",
        r.get("nodes"),
        r.get("ready"),
        (long) r.get("controllerHeapEmptyBytes") / 1048576.0,
        (long) r.get("controllerHeapWithNodesBytes") / 1048576.0,
        (long) r.get("controllerHeapWithInstancesBytes") / 1048576.0,
        (double) r.get("heapPerNodeBytes"),
        (double) r.get("heapPerInstanceBytes"),
        (long) r.get("controllerRssBytes") / 1048576.0);
  }
}
