package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import java.util.List;
import java.util.Map;
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

  private static ContainerMetrics metrics(String id) {
    return ContainerMetrics.newBuilder().setContainerId(id).setCpuPercent(1.5).build();
  }

  /** A new string with the same characters, as parsing the next sample makes. */
  private static String copy(String s) {
    return new String(s.toCharArray());
  }

  @Test
  void loadsReuseTheIdStringsOfTheStreamsLastSampleWhereTheyAreTheSame() {
    ContainerConverters.ContainerIds ids = new ContainerConverters.ContainerIds();
    String c1 = "node-a-c1";
    String c2 = "node-a-c2";
    Map<String, ContainerLoad> first =
        ContainerConverters.loads(List.of(metrics(c1), metrics(c2)), ids);
    assertThat(first.keySet()).containsExactlyInAnyOrder(c1, c2);

    Map<String, ContainerLoad> second =
        ContainerConverters.loads(List.of(metrics(copy(c1)), metrics(copy(c2))), ids);
    assertThat(second.keySet()).allSatisfy(id -> assertThat(id).isSameAs(id.equals(c1) ? c1 : c2));
    assertThat(second.get(c1).cpuPercent()).isEqualTo(1.5);

    // A container in another place, or a new one, is taken as sent; so is a sample of another
    // length, and the one after it reuses that one's strings.
    String c3 = "node-a-c3";
    String swapped = copy(c2);
    Map<String, ContainerLoad> third =
        ContainerConverters.loads(List.of(metrics(swapped), metrics(c3), metrics(copy(c1))), ids);
    assertThat(third).containsOnlyKeys(c1, c2, c3);
    assertThat(third.keySet()).anySatisfy(id -> assertThat(id).isSameAs(swapped));
    Map<String, ContainerLoad> fourth =
        ContainerConverters.loads(List.of(metrics(copy(c2)), metrics(copy(c3))), ids);
    assertThat(fourth.keySet()).anySatisfy(id -> assertThat(id).isSameAs(swapped));
    assertThat(fourth.keySet()).anySatisfy(id -> assertThat(id).isSameAs(c3));
  }

  @Test
  void aContainerWithoutServiceMetricsOrWithTooManyKeepsNone() {
    ContainerMetrics many =
        ContainerMetrics.newBuilder()
            .setContainerId("c2")
            .putAllServiceMetrics(
                java.util.stream.IntStream.range(0, 1001)
                    .boxed()
                    .collect(java.util.stream.Collectors.toMap(i -> "m" + i, i -> 1.0)))
            .build();
    ContainerMetrics some =
        ContainerMetrics.newBuilder().setContainerId("c3").putServiceMetrics("rps", 2.0).build();
    Map<String, ContainerLoad> loads =
        ContainerConverters.loads(List.of(metrics("c1"), many, some));
    assertThat(loads.get("c1").serviceMetrics()).isEmpty();
    assertThat(loads.get("c2").serviceMetrics()).isEmpty();
    assertThat(loads.get("c3").serviceMetrics()).containsExactlyEntriesOf(Map.of("rps", 2.0));
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
