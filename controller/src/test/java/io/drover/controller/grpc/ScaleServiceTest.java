package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.agent.config.AgentConfig;
import io.drover.common.net.PortRange;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ControlGrpc;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.NodeState;
import io.drover.v1.ScaleServiceRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** ScaleService on a real controller with a real agent in this JVM. */
class ScaleServiceTest {
  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  @Test
  void scalingPastTheNodesPortPoolIsResourceExhaustedNamingTheNodeAndRange() throws Exception {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: web
            artifact: {path: web.jar}
            entry: example.Web
            mode: cold
            replicas: {min: 0, max: 3, initial: 0}
            ports: [http]
        """);
    Controller controller =
        cluster.controller(
            ControllerConfig.defaults(
                    Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir)));
    ControlGrpc.ControlBlockingStub control = cluster.control(controller.grpcPort());
    // One port to hand out, and a java that does not exist: no container JVM ever starts (the
    // jar does not exist either).
    AgentConfig.Containers noJvm =
        new AgentConfig.Containers(
            Optional.empty(),
            dir.resolve("no-such-java").toString(),
            "",
            4,
            AgentConfig.Containers.defaults().logMaxBytes());
    cluster.agent(
        controller.grpcPort(), dir.resolve("agent"), "node-1", new PortRange(20977, 20977), noJvm);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreException(StatusRuntimeException.class)
        .until(
            () ->
                control.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .anyMatch(n -> n.getState() == NodeState.NODE_STATE_READY));

    assertThatThrownBy(
            () ->
                control.scaleService(
                    ScaleServiceRequest.newBuilder().setService("web").setReplicas(2).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .startsWith("node node-1: no 1 free port in 20977-20977")
                  .contains("web stays at 2 desired");
            });
    // The one port went to one instance; the other waits for one and says why.
    assertThat(
            control
                .listInstances(ListInstancesRequest.newBuilder().setService("web").build())
                .getInstancesList())
        .anySatisfy(
            waiting -> {
              assertThat(waiting.getState()).isEqualTo(InstanceState.INSTANCE_STATE_PENDING);
              assertThat(waiting.getReason()).contains("no 1 free port in 20977-20977");
            });
  }
}
