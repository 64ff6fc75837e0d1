package io.drover.controller.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CoalescedLoadsTest {
  /** Holds the hand-overs as a loop's queue would, and runs them as the scheduler does. */
  private static class Owner implements AgentEvents {
    final List<Map<String, Map<String, ContainerLoad>>> queued = new ArrayList<>();
    final Map<String, Map<String, ContainerLoad>> loads = new HashMap<>();
    final List<String> other = new ArrayList<>();

    void runQueued() {
      List<Map<String, Map<String, ContainerLoad>>> now = List.copyOf(queued);
      queued.clear();
      now.forEach(loads::putAll);
    }

    @Override
    public void nodeLoads(Map<String, Map<String, ContainerLoad>> byNode) {
      queued.add(byNode);
    }

    @Override
    public void containerLoads(String nodeId, Map<String, ContainerLoad> latest) {
      throw new AssertionError("loads are handed over together, not node by node");
    }

    @Override
    public void sessionOpened(String nodeId, long epoch, List<ContainerView> containers) {
      other.add("opened " + nodeId);
    }

    @Override
    public void sessionClosed(String nodeId, long epoch) {
      other.add("closed " + nodeId);
    }

    @Override
    public void containerChanged(String nodeId, ContainerView container, String commandId) {
      other.add("changed " + nodeId);
    }

    @Override
    public void overload(String nodeId, String instanceId, String reason) {
      other.add("overload " + instanceId);
    }

    @Override
    public void error(String nodeId, String instanceId, String error) {
      other.add("error " + instanceId);
    }
  }

  private static ContainerLoad cpu(double percent) {
    return new ContainerLoad(percent, 0, 0, 0, 0, 0, Map.of());
  }

  @Test
  void samplesThatComeWhileAHandOverWaitsRideAlongAndTheOwnerSeesTheLatest() {
    Owner owner = new Owner();
    CoalescedLoads loads = new CoalescedLoads(owner);

    loads.containerLoads("n1", Map.of("c1", cpu(1), "c2", cpu(2)));
    loads.containerLoads("n2", Map.of("c3", cpu(3)));
    loads.containerLoads("n1", Map.of("c1", cpu(10)));
    assertThat(owner.queued).hasSize(1);

    owner.runQueued();
    // A node's newer sample replaces its older one: c2 no longer runs on n1.
    assertThat(owner.loads)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("n1", Map.of("c1", cpu(10)), "n2", Map.of("c3", cpu(3))));

    // Once the hand-over ran, the next sample queues one of its own.
    loads.containerLoads("n2", Map.of("c3", cpu(30)));
    assertThat(owner.queued).hasSize(1);
    owner.runQueued();
    assertThat(owner.loads.get("n2")).containsExactlyEntriesOf(Map.of("c3", cpu(30)));
    assertThat(owner.loads.get("n1")).containsExactlyEntriesOf(Map.of("c1", cpu(10)));
  }

  @Test
  void aSampleThatComesWhileTheOwnerTakesTheLoadsQueuesAnotherHandOver() {
    Owner owner = new Owner();
    CoalescedLoads loads = new CoalescedLoads(owner);
    loads.containerLoads("n1", Map.of("c1", cpu(1)));
    Map<String, Map<String, ContainerLoad>> first = owner.queued.remove(0);

    assertThat(first).containsExactlyEntriesOf(Map.of("n1", Map.of("c1", cpu(1))));
    loads.containerLoads("n1", Map.of("c1", cpu(2)));
    assertThat(owner.queued).hasSize(1);
    owner.runQueued();
    assertThat(owner.loads).containsExactlyEntriesOf(Map.of("n1", Map.of("c1", cpu(2))));
  }

  @Test
  void everythingElsePassesStraightOn() {
    Owner owner = new Owner();
    CoalescedLoads loads = new CoalescedLoads(owner);
    loads.sessionOpened("n1", 1, List.of());
    loads.containerChanged("n1", null, "");
    loads.overload("n1", "i1", "busy");
    loads.error("n1", "i1", "boom");
    loads.sessionClosed("n1", 1);
    assertThat(owner.other)
        .containsExactly("opened n1", "changed n1", "overload i1", "error i1", "closed n1");
  }

  /** The owner as a loop: runs each hand-over at once, on the caller's thread. */
  private static final class RunningOwner extends Owner {
    final List<Map<String, Map<String, ContainerLoad>>> ran = new CopyOnWriteArrayList<>();
    final Map<String, Map<String, ContainerLoad>> seen = new ConcurrentHashMap<>();

    @Override
    public void nodeLoads(Map<String, Map<String, ContainerLoad>> byNode) {
      ran.add(byNode);
      seen.putAll(byNode);
    }
  }

  @Test
  void withAWindowSamplesOfManyNodesAreHandedOverTogetherOnceItEnds() {
    RunningOwner owner = new RunningOwner();
    try (CoalescedLoads loads = new CoalescedLoads(owner, Duration.ofMillis(200))) {
      long start = System.nanoTime();
      for (int n = 0; n < 100; n++) {
        loads.containerLoads("n" + n, Map.of("c" + n, cpu(n)));
      }
      loads.containerLoads("n7", Map.of("c7", cpu(70), "c700", cpu(700)));

      await().atMost(Duration.ofSeconds(5)).until(() -> owner.ran.size() == 1);
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
      assertThat(owner.ran.get(0)).hasSize(100);
      assertThat(owner.seen)
          .hasSize(100)
          .containsEntry("n7", Map.of("c7", cpu(70), "c700", cpu(700)))
          .containsEntry("n99", Map.of("c99", cpu(99)));

      // The next sample opens a window of its own.
      loads.containerLoads("n1", Map.of("c1", cpu(10)));
      await().atMost(Duration.ofSeconds(5)).until(() -> owner.ran.size() == 2);
      assertThat(owner.ran.get(1)).containsExactlyEntriesOf(Map.of("n1", Map.of("c1", cpu(10))));
    }
  }

  @Test
  void aHandOverIsTakenOnceAndKeepsTheLatestSampleOfEachNode() {
    Owner owner = new Owner();
    CoalescedLoads loads = new CoalescedLoads(owner);
    Map<String, ContainerLoad> first = new HashMap<>(Map.of("c1", cpu(1), "c2", cpu(2)));
    loads.containerLoads("n1", first);
    Map<String, ContainerLoad> second = Map.of("c2", cpu(20), "c3", cpu(3));
    loads.containerLoads("n1", second);
    Map<String, Map<String, ContainerLoad>> handOver = owner.queued.get(0);

    assertThat(handOver).containsOnlyKeys("n1");
    assertThat(handOver.get("n1")).isSameAs(second);
    // The caller's map is not changed; taken once, the hand-over stays as taken.
    assertThat(first).containsEntry("c2", cpu(2)).hasSize(2);
    loads.containerLoads("n2", Map.of("c4", cpu(4)));
    assertThat(handOver).containsOnlyKeys("n1");
    assertThat(owner.queued).hasSize(2);
  }
}
