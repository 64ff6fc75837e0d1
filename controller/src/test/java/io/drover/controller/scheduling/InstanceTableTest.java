package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.JvmProfile;
import io.drover.controller.instances.Instance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table's indexes follow every change an instance goes through, as the scans did. */
class InstanceTableTest {
  private static final Instant NOW = Instant.parse("2026-12-08T00:00:00Z");
  private static final JvmProfile SMALL = new JvmProfile("small", "", 64, List.of());

  private final InstanceTable table = new InstanceTable();

  @Test
  void aPendingInstanceIsPlaceableUntilItWaitsForASpareOrIsPlaced() {
    Instance web = pending("web-1");
    Instance other = pending("web-2");
    assertThat(table.placeable("web")).containsExactly(web, other);
    assertThat(table.counted("web")).isEqualTo(2);

    SpareWaits waits = new SpareWaits();
    waits.await(web, "node-a", SMALL);
    assertThat(table.placeable("web")).containsExactly(other);
    assertThat(table.counted("web")).isEqualTo(2);

    waits.forget(web);
    assertThat(table.placeable("web")).containsExactly(other, web);

    web.placed("node-a", "c-1", Map.of("http", 20000), NOW);
    assertThat(table.placeable("web")).containsExactly(other);
    assertThat(table.onNode("node-a")).containsExactly(web);

    web.pending("its node left");
    assertThat(table.onNode("node-a")).isEmpty();
    assertThat(table.placeable("web")).containsExactly(other, web);
  }

  @Test
  void onlyLiveInstancesThatAreNotLeavingCount() {
    Instance web = pending("web-1");
    web.placed("node-a", "c-1", Map.of(), NOW);
    web.ready(42, NOW);
    assertThat(table.counted("web")).isEqualTo(1);

    web.leaving(true);
    assertThat(table.counted("web")).isZero();
    assertThat(table.leaving()).containsExactly(web);

    web.leaving(false);
    web.draining();
    assertThat(table.counted("web")).isZero();
    assertThat(table.leaving()).isEmpty();

    web.stopped();
    assertThat(table.counted("web")).isZero();
    assertThat(table.onNode("node-a")).containsExactly(web); // kept for its history
  }

  @Test
  void theReadyVersionMovesOnlyWhenTheReadySetMayHaveChanged() {
    Instance web = pending("web-1");
    long start = table.readyVersion("web");
    web.placed("node-a", "c-1", Map.of(), NOW);
    assertThat(table.readyVersion("web")).isEqualTo(start);

    web.ready(42, NOW);
    long ready = table.readyVersion("web");
    assertThat(ready).isNotEqualTo(start);

    pending("web-2");
    assertThat(table.readyVersion("web")).isEqualTo(ready);

    web.draining();
    assertThat(table.readyVersion("web")).isNotEqualTo(ready);
    long drained = table.readyVersion("web");

    Instance back = new Instance("web-3", "web", NOW);
    back.placed("node-b", "c-3", Map.of(), NOW);
    back.ready(7, NOW);
    table.put(back);
    assertThat(table.readyVersion("web")).isNotEqualTo(drained);
    long withBack = table.readyVersion("web");
    table.remove("web-3");
    assertThat(table.readyVersion("web")).isNotEqualTo(withBack);
  }

  @Test
  void replacementsAreFoundByTheInstanceTheyReplace() {
    Instance old = pending("web-1");
    old.placed("node-a", "c-1", Map.of(), NOW);
    Instance replacement = pending("web-2");
    replacement.replacing("web-1");
    assertThat(table.replacementsOf("web-1")).containsExactly(replacement);

    replacement.replacing("");
    assertThat(table.replacementsOf("web-1")).isEmpty();
  }

  @Test
  void aRemovedInstanceLeavesEveryIndexAndItsChangesNoLongerCount() {
    Instance web = pending("web-1");
    web.placed("node-a", "c-1", Map.of(), NOW);
    web.leaving(true);
    table.remove("web-1");

    assertThat(table.onNode("node-a")).isEmpty();
    assertThat(table.leaving()).isEmpty();
    assertThat(table.services()).isEmpty();
    assertThat(table.counted("web")).isZero();

    web.pending("again"); // no longer indexed: nothing may come back
    assertThat(table.placeable("web")).isEmpty();
  }

  @Test
  void anInstancePutAgainUnderItsIdReplacesTheOldOneInEveryIndex() {
    Instance first = pending("web-1");
    first.placed("node-a", "c-1", Map.of(), NOW);
    Instance again = new Instance("web-1", "web", NOW);
    again.placed("node-b", "c-2", Map.of(), NOW);
    table.put(again);

    assertThat(table.onNode("node-a")).isEmpty();
    assertThat(table.onNode("node-b")).containsExactly(again);
    assertThat(table.counted("web")).isEqualTo(1);
    first.pending("stale"); // the old object is no longer indexed
    assertThat(table.placeable("web")).isEmpty();
  }

  @Test
  void nodeUsageFollowsPlacementsWaitsStopsAndACatalogChange() {
    Map<String, ServicePlan> plans = new java.util.HashMap<>();
    plans.put("web", PlacementTest.plan("web", false, 256, 500));
    NodeUsage usage = new NodeUsage(plans);
    InstanceTable counted = new InstanceTable(usage);
    SpareWaits waits = new SpareWaits(usage);
    Instance web = new Instance("web-1", "web", NOW);
    web.pending("waiting for placement");
    counted.put(web);
    assertThat(usage.memoryMb("node-a")).isZero();

    // Waiting for a spare on node-a earmarks it there; taking the spare moves nothing.
    waits.await(web, "node-a", SMALL);
    assertThat(usage.memoryMb("node-a")).isEqualTo(256);
    waits.forget(web);
    web.placed("node-a", "c-1", Map.of("http", 20000), NOW);
    assertThat(usage.memoryMb("node-a")).isEqualTo(256);
    assertThat(usage.cpuMillis("node-a")).isEqualTo(500);
    assertThat(usage.serviceInstances("web", "node-a")).isEqualTo(1);

    // A waiting instance moved to another node counts only there.
    Instance second = new Instance("web-2", "web", NOW);
    counted.put(second);
    waits.await(second, "node-a", SMALL);
    waits.await(second, "node-b", SMALL);
    assertThat(usage.serviceInstances("web", "node-a")).isEqualTo(1);
    assertThat(usage.serviceInstances("web", "node-b")).isEqualTo(1);

    plans.put("web", PlacementTest.plan("web", false, 1024, 500));
    usage.replan();
    assertThat(usage.memoryMb("node-a")).isEqualTo(1024);

    web.stopped();
    assertThat(usage.memoryMb("node-a")).isZero();
    counted.remove("web-2");
    assertThat(usage.memoryMb("node-b")).isEqualTo(1024); // still waiting there
    waits.forget(second);
    assertThat(usage.memoryMb("node-b")).isZero();
  }

  private Instance pending(String id) {
    Instance instance = new Instance(id, "web", NOW);
    instance.pending("waiting for placement");
    table.put(instance);
    return instance;
  }
}
