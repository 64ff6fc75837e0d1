package io.drover.bench.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.v1.DrainNodeRequest;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.WatchEventsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A drain past its deadline with no room elsewhere, on a real controller process and two simulated
 * nodes (256 GiB each) that each fit one instance of both services: it stops what can go, and keeps
 * what would take a service below its minimum, saying so.
 */
class DrainDeadlineTest {
  @Test
  void pastTheDeadlineADrainStopsWhatCanGoAndKeepsWhatTheMinimumNeeds() throws Exception {
    try (SwarmScenario scenario = new SwarmScenario(2, Duration.ZERO, 0, Map.of())) {
      Path jar = scenario.dir.resolve("service.jar");
      scenario.apply(
          "services:\n" + service("keep", jar, 150_000, 2) + service("go", jar, 60_000, 1));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ready("keep", scenario).size() == 2 && ready("go", scenario).size() == 2);
      String drained = scenario.swarm.agents().get(0).nodeId();

      Iterator<Event> events =
          scenario
              .controller
              .control()
              .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS)
              .watchEvents(WatchEventsRequest.newBuilder().setFollow(true).build());
      scenario
          .controller
          .control()
          .drainNode(DrainNodeRequest.newBuilder().setNode(drained).setDeadlineSeconds(1).build());

      // Neither replacement has room on the other node; past the deadline the drain keeps the
      // instance of "keep" (min 2) and says why.
      List<String> said = new ArrayList<>();
      while (said.stream().noneMatch(m -> m.contains("passed its deadline but keeps keep-"))) {
        said.add(events.next().getMessage());
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                List<Instance> onDrained = on(drained, scenario);
                assertThat(onDrained)
                    .filteredOn(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
                    .extracting(Instance::getService)
                    .containsExactly("keep");
                assertThat(onDrained)
                    .filteredOn(i -> i.getService().equals("go"))
                    .allMatch(i -> i.getState() != InstanceState.INSTANCE_STATE_READY);
              });
      assertThat(said)
          .anyMatch(m -> m.contains("below its minimum of 2"))
          .noneMatch(m -> m.contains("keeps go-"));
      assertThat(ready("keep", scenario)).hasSize(2);
    }
  }

  private static List<Instance> ready(String service, SwarmScenario scenario) {
    return scenario
        .controller
        .control()
        .listInstances(ListInstancesRequest.newBuilder().setService(service).build())
        .getInstancesList()
        .stream()
        .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
        .toList();
  }

  private static List<Instance> on(String nodeId, SwarmScenario scenario) {
    return scenario
        .controller
        .control()
        .listInstances(ListInstancesRequest.newBuilder().setNode(nodeId).build())
        .getInstancesList();
  }

  private static String service(String name, Path jar, int memoryMb, int min) {
    return "  - name: "
        + name
        + "\n    artifact: {path: "
        + jar
        + "}\n    entry: sim.Main\n    ports: [http]\n    replicas: {min: "
        + min
        + ", max: 2, initial: 2}\n    resources: {memoryMb: "
        + memoryMb
        + ", cpuMillis: 1}\n    gracePeriod: 1s\n";
  }
}
