package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.JvmProfile;
import io.drover.controller.instances.Instance;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpareWaitsTest {
  private static final JvmProfile SMALL = new JvmProfile("small", "", 64, List.of());
  private static final JvmProfile LARGE = new JvmProfile("large", "", 512, List.of());

  private final SpareWaits waits = new SpareWaits();

  @Test
  void theInstanceThatWaitedLongestTakesTheNextSpareOfItsProfileOnItsNode() {
    Instance first = instance("web-1");
    Instance second = instance("web-2");
    Instance elsewhere = instance("web-3");
    Instance larger = instance("batch-1");
    waits.await(first, "node-a", SMALL);
    waits.await(second, "node-a", SMALL);
    waits.await(elsewhere, "node-b", SMALL);
    waits.await(larger, "node-a", LARGE);

    assertThat(waits.count("node-a", SMALL)).isEqualTo(2);
    assertThat(waits.next("node-a", SMALL)).isSameAs(first);
    assertThat(first.waitingForSpare()).isFalse();
    assertThat(waits.next("node-a", SMALL)).isSameAs(second);
    assertThat(waits.next("node-a", SMALL)).isNull();
    assertThat(waits.next("node-a", LARGE)).isSameAs(larger);
    assertThat(elsewhere.waitingForSpare()).isTrue();
  }

  @Test
  void waitingAgainMovesTheInstanceAndForgetEndsItsWait() {
    Instance web = instance("web-1");
    waits.await(web, "node-a", SMALL);
    waits.await(web, "node-b", SMALL);
    assertThat(waits.count("node-a", SMALL)).isZero();
    assertThat(waits.count("node-b", SMALL)).isEqualTo(1);

    waits.forget(web);
    assertThat(web.waitingForSpare()).isFalse();
    assertThat(waits.nodes()).isEmpty();
  }

  @Test
  void sparesThatWillNotComeReleaseTheNewestWaitsFirst() {
    Instance oldest = instance("web-1");
    Instance middle = instance("web-2");
    Instance newest = instance("web-3");
    waits.await(oldest, "node-a", SMALL);
    waits.await(middle, "node-a", SMALL);
    waits.await(newest, "node-a", SMALL);

    assertThat(waits.release("node-a", SMALL, 2)).containsExactly(newest, middle);
    assertThat(oldest.waitingForSpare()).isTrue();
    assertThat(waits.release("node-a", SMALL, 5)).containsExactly(oldest);
    assertThat(waits.release("node-a", SMALL, 1)).isEmpty();
  }

  @Test
  void aNodeThatLeavesReleasesEveryWaitOnItAndOnlyThose() {
    Instance a1 = instance("web-1");
    Instance a2 = instance("batch-1");
    Instance b1 = instance("web-2");
    waits.await(a1, "node-a", SMALL);
    waits.await(a2, "node-a", LARGE);
    waits.await(b1, "node-b", SMALL);

    assertThat(waits.releaseNode("node-a")).containsExactlyInAnyOrder(a1, a2);
    assertThat(waits.nodes()).containsExactly("node-b");
    assertThat(b1.waitingForSpare()).isTrue();
  }

  private static Instance instance(String id) {
    return new Instance(id, id.substring(0, id.indexOf('-')), Instant.EPOCH);
  }
}
