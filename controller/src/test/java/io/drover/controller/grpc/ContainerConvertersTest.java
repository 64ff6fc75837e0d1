package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.ContainerView;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import org.junit.jupiter.api.Test;

/** Container reports share what they have in common. */
class ContainerConvertersTest {
  private static ContainerReport report(String id, int restarts) {
    return ContainerReport.newBuilder()
        .setContainerId(id)
        .setState(ContainerState.CONTAINER_STATE_IDLE)
        .setRestarts(restarts)
        .build();
  }

  @Test
  void containersThatNeverRestartedShareOneNoRestarts() {
    ContainerView a = ContainerConverters.container("n1", report("c1", 0));

    assertThat(a.restarts()).isSameAs(ContainerView.Restarts.NONE);
    ContainerView restarted = ContainerConverters.container("n1", report("c3", 2));
    assertThat(restarted.restarts().count()).isEqualTo(2);
    assertThat(restarted.restarts().restartAt()).isEmpty();
  }
}
