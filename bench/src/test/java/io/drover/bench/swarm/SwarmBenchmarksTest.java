package io.drover.bench.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario benchmarks at a small size, so that they keep working: a real controller process,
 * simulated agents on real connections. Behaviour only (every instance reaches READY, the JSON
 * holds the figures); no timing is asserted.
 */
class SwarmBenchmarksTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void placementPlacesEveryInstanceOnTwentySimulatedNodesAndWritesItsFigures() throws Exception {
    BenchResult result = PlacementBench.run(20, 1000, false);
    Path file = dir.resolve("placement.json");
    result.write(file);

    JsonNode json = JSON.readTree(file.toFile());
    assertThat(json.get("benchmark").asText()).isEqualTo("placement");
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("ready").asLong()).isEqualTo(1000);
    assertThat(json.get("instances").asLong()).isEqualTo(1000);
    assertThat(json.get("placementsPerSecond").asDouble()).isPositive();
    assertThat(json.get("controllerHeapWithInstancesBytes").asLong())
        .isGreaterThan(json.get("controllerHeapEmptyBytes").asLong());
    assertThat(json.get("heapPerInstanceBytes").asDouble()).isPositive();
    assertThat(json.get("agentDisconnects").asLong()).isZero();
    // One service of 1,000 instances on 20 equal nodes: placement spreads it about evenly, also
    // while the containers for a burst of pending instances are still starting.
    // One assignment per instance and one start per node and pass, not one per container; and
    // no container started that no instance takes.
    assertThat(json.get("commandsPerInstance").asDouble()).isLessThan(1.5);
    assertThat(json.get("containersNotRunning").asLong()).isZero();
    assertThat(json.get("runningPerNodeMin").asInt()).isGreaterThanOrEqualTo(40);
    assertThat(json.get("runningPerNodeMax").asInt()).isLessThanOrEqualTo(60);
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    assertThat(PlacementBench.line(result)).contains("all READY");
    assertThat(ControllerMemoryBench.line(result)).contains("bytes/instance");
  }

  @Test
  void coldPlacementStartsOneContainerPerInstance() throws Exception {
    BenchResult result = PlacementBench.run(5, 100, true);

    assertThat(result.get("complete")).isEqualTo(true);
    assertThat(result.get("ready")).isEqualTo(100L);
    assertThat(result.get("mode")).isEqualTo("cold");
  }

  @Test
  void telemetryFromTwentyAgentsWithTwentyContainersEachBecomesVisible() throws Exception {
    BenchResult result = TelemetryBench.run(20, Duration.ofSeconds(3), Duration.ofSeconds(4));
    Path file = dir.resolve("telemetry.json");
    result.write(file);

    JsonNode json = JSON.readTree(file.toFile());
    assertThat(json.get("benchmark").asText()).isEqualTo("telemetry");
    assertThat(json.get("nodes").asInt()).isEqualTo(20);
    assertThat(json.get("containersPerNode").asInt()).isEqualTo(20);
    // Each agent sent a sample a second; the readers saw new ones through both calls.
    assertThat(json.get("listNodesSamples").asInt()).isPositive();
    assertThat(json.get("getNodeSamples").asInt()).isPositive();
    assertThat(json.get("listNodesVisibleP99Ms").asDouble()).isPositive();
    assertThat(json.get("controllerCpuCores").asDouble()).isPositive();
    assertThat(json.get("agentDisconnects").asLong()).isZero();
  }
}
