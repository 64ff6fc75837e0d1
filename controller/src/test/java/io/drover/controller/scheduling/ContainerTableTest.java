package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.ContainerStatus;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.containers.JvmProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerTableTest {
  static ContainerView container(String id, ContainerStatus status, String instance) {
    return new ContainerView(
        id,
        "n1",
        status,
        new JvmProfile("default", "", 128, List.of()),
        100,
        Instant.EPOCH,
        instance.isEmpty() ? "" : "orders",
        instance,
        instance.isEmpty() ? Map.of() : Map.of("http", 20000),
        "",
        0,
        ContainerView.Restarts.NONE);
  }

  @Test
  void sparesAreTheIdleOrStartingContainersWithoutAnInstanceAndFollowEveryChange() {
    ContainerTable table =
        ContainerTable.of(
            List.of(
                container("c1", ContainerStatus.STARTING, ""),
                container("c2", ContainerStatus.IDLE, ""),
                container("c3", ContainerStatus.RUNNING, "orders-1")));

    assertThat(table.all().keySet()).containsExactly("c1", "c2", "c3");
    assertThat(table.spares()).extracting(ContainerView::id).containsExactly("c1", "c2");

    table.put(container("c1", ContainerStatus.IDLE, ""));
    table.put(container("c2", ContainerStatus.LOADING, "orders-2"));
    table.put(container("c4", ContainerStatus.IDLE, ""));
    assertThat(table.spares()).extracting(ContainerView::id).containsExactly("c1", "c4");
    assertThat(table.all().keySet()).containsExactly("c1", "c2", "c3", "c4");

    table.remove("c1");
    table.remove("c3");
    assertThat(table.spares()).extracting(ContainerView::id).containsExactly("c4");
    assertThat(table.all().keySet()).containsExactly("c2", "c4");
  }

  @Test
  void theFirstUnreservedIdleSpareAndTheStartingCountAreKeptPerProfile() {
    JvmProfile defaults = new JvmProfile("default", "", 128, List.of());
    JvmProfile big = new JvmProfile("big", "", 1024, List.of());
    ContainerTable table =
        ContainerTable.of(
            List.of(
                container("c1", ContainerStatus.IDLE, ""),
                container("c2", ContainerStatus.IDLE, ""),
                container("c3", ContainerStatus.STARTING, ""),
                withProfile(container("c4", ContainerStatus.STARTING, ""), big)));

    assertThat(table.firstIdle(defaults)).contains("c1");
    table.reserve("c1");
    assertThat(table.firstIdle(defaults)).contains("c2");
    table.reserve("c2");
    assertThat(table.firstIdle(defaults)).isEmpty();
    table.put(container("c2", ContainerStatus.IDLE, "")); // reported again while reserved
    assertThat(table.firstIdle(defaults)).isEmpty();
    table.unreserve("c2");
    assertThat(table.firstIdle(defaults)).contains("c2");
    assertThat(table.firstIdle(big)).isEmpty();
    assertThat(table.starting(defaults)).isEqualTo(1);
    assertThat(table.starting(big)).isEqualTo(1);

    table.put(container("c1", ContainerStatus.LOADING, "orders-1"));
    table.put(container("c3", ContainerStatus.IDLE, ""));
    table.put(withProfile(container("c4", ContainerStatus.IDLE, ""), big));
    table.unreserve("c1"); // answered: c1 is LOADING now, no spare
    assertThat(table.firstIdle(defaults)).contains("c2");
    table.reserve("c2");
    assertThat(table.firstIdle(defaults)).contains("c3");
    table.unreserve("c2");
    assertThat(table.firstIdle(big)).contains("c4");
    assertThat(table.starting(defaults)).isZero();
    assertThat(table.starting(big)).isZero();

    table.remove("c2");
    table.remove("c3");
    table.put(withProfile(container("c4", ContainerStatus.EXITED, ""), big));
    assertThat(table.firstIdle(defaults)).isEmpty();
    assertThat(table.firstIdle(big)).isEmpty();
  }

  private static ContainerView withProfile(ContainerView c, JvmProfile profile) {
    return new ContainerView(
        c.id(),
        c.nodeId(),
        c.status(),
        profile,
        c.pid(),
        c.startedAt(),
        c.service(),
        c.instanceId(),
        c.ports(),
        c.reason(),
        c.exitCode(),
        c.restarts());
  }

  @Test
  void aContainerReportedAgainIsHeldWithThePartsOfItsFirstReport() {
    ContainerTable table = new ContainerTable();
    ContainerView first = container(new String("c1"), ContainerStatus.RUNNING, "orders-1");
    table.put(first);
    ContainerView again = container(new String("c1"), ContainerStatus.RUNNING, "orders-1");
    ContainerView held = table.put(again);

    assertThat(table.all().get("c1")).isSameAs(held);
    assertThat(held).isEqualTo(again);
    assertThat(held.id()).isSameAs(first.id()).isSameAs(table.all().keySet().iterator().next());
    assertThat(held.profile()).isSameAs(first.profile());
    assertThat(held.ports()).isSameAs(first.ports());

    ContainerView stopping =
        new ContainerView(
            "c1",
            "n1",
            ContainerStatus.STOPPING,
            first.profile(),
            100,
            Instant.EPOCH,
            "orders",
            "orders-1",
            Map.of(),
            "draining",
            0,
            ContainerView.Restarts.NONE);
    table.put(stopping);
    assertThat(table.all().get("c1")).isEqualTo(stopping);
    assertThat(table.all().get("c1").ports()).isEmpty();
  }
}
