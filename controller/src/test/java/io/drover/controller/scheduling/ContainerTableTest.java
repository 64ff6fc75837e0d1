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
}
