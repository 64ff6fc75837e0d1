package io.drover.bench.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.WatchEventsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node whose agent cannot start JVMs (it answers every start with an error) looks emptiest to
 * placement for ever. On a real controller process and two simulated nodes: its instances go to the
 * other node, and an event says which node failed and for how long it is left out.
 */
class ContainerStartFailureTest {
  @Test
  void instancesWhoseContainersCannotStartOnANodeArePlacedOnAnother() throws Exception {
    try (SwarmScenario scenario = new SwarmScenario(2, Duration.ZERO, 0, Map.of())) {
      SimAgent broken = scenario.swarm.agents().get(0);
      SimAgent healthy = scenario.swarm.agents().get(1);
      broken.refuseStarts("could not start a JVM of profile sim: java: not found");

      scenario.apply(scenario.catalog(1, 6, false, 0));

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                List<Instance> all = instances(scenario);
                assertThat(all)
                    .hasSize(6)
                    .allMatch(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
                    .allMatch(i -> i.getNode().equals(healthy.nodeId()));
              });
      assertThat(broken.containerCount()).isZero();
      List<String> said = new ArrayList<>();
      scenario
          .controller
          .control()
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchEvents(WatchEventsRequest.newBuilder().setTail(1000).build())
          .forEachRemaining(e -> said.add(e.getKind() + " " + e.getMessage()));
      assertThat(said)
          .anyMatch(
              m ->
                  m.startsWith("CONTAINER_START_FAILED node " + broken.name())
                      && m.contains("java: not found")
                      && m.contains("placement leaves it out for"));
    }
  }

  private static List<Instance> instances(SwarmScenario scenario) {
    return scenario
        .controller
        .control()
        .listInstances(ListInstancesRequest.newBuilder().build())
        .getInstancesList();
  }
}
