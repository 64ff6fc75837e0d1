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

  @Test
  void namesThatManyContainersCarryAreHeldOnce() throws Exception {
    ContainerReport.Builder running =
        ContainerReport.newBuilder()
            .setState(ContainerState.CONTAINER_STATE_RUNNING)
            .setService("orders")
            .setInstanceId("orders-1")
            .setProfile(
                io.drover.v1.JvmProfile.newBuilder()
                    .setName("default")
                    .setHeapMb(128)
                    .addFlags("-XX:+UseSerialGC"))
            .addPorts(io.drover.v1.PortBinding.newBuilder().setName("http").setPort(20000));
    ContainerView a =
        ContainerConverters.container(
            "n1", ContainerReport.parseFrom(running.setContainerId("c1").build().toByteArray()));
    ContainerView b =
        ContainerConverters.container(
            "n1", ContainerReport.parseFrom(running.setContainerId("c2").build().toByteArray()));

    assertThat(b.service()).isEqualTo("orders").isSameAs(a.service());
    assertThat(b.profile()).isEqualTo(a.profile());
    assertThat(b.profile().name()).isSameAs(a.profile().name());
    assertThat(b.profile().flags().get(0)).isSameAs(a.profile().flags().get(0));
    assertThat(b.ports().keySet().iterator().next()).isSameAs(a.ports().keySet().iterator().next());
    assertThat(b.id()).isEqualTo("c2");
  }
}
