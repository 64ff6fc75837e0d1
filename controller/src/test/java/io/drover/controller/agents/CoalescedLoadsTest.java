package io.drover.controller.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoalescedLoadsTest {
  /** Holds the hand-overs as a loop's queue would, and runs them as the scheduler does. */
  private static final class Owner implements AgentEvents {
    final List<Map<String, ContainerLoad>> queued = new ArrayList<>();
    final Map<String, ContainerLoad> loads = new HashMap<>();
    final List<String> other = new ArrayList<>();

    void runQueued() {
      List<Map<String, ContainerLoad>> now = List.copyOf(queued);
      queued.clear();
      now.forEach(loads::putAll);
    }

    @Override
    public void containerLoads(String nodeId, Map<String, ContainerLoad> latest) {
      queued.add(latest);
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
    assertThat(owner.loads)
        .containsExactlyInAnyOrderEntriesOf(Map.of("c1", cpu(10), "c2", cpu(2), "c3", cpu(3)));

    // Once the hand-over ran, the next sample queues one of its own.
    loads.containerLoads("n2", Map.of("c3", cpu(30)));
    assertThat(owner.queued).hasSize(1);
    owner.runQueued();
    assertThat(owner.loads.get("c3")).isEqualTo(cpu(30));
  }

  @Test
  void aSampleThatComesWhileTheOwnerTakesTheLoadsQueuesAnotherHandOver() {
    Owner owner = new Owner();
    CoalescedLoads loads = new CoalescedLoads(owner);
    loads.containerLoads("n1", Map.of("c1", cpu(1)));
    Map<String, ContainerLoad> first = owner.queued.remove(0);

    assertThat(first).containsExactlyEntriesOf(Map.of("c1", cpu(1)));
    loads.containerLoads("n1", Map.of("c1", cpu(2)));
    assertThat(owner.queued).hasSize(1);
    owner.runQueued();
    assertThat(owner.loads).containsExactlyEntriesOf(Map.of("c1", cpu(2)));
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
}
