package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.sdk.Endpoint;
import io.drover.sdk.Endpoints;
import io.drover.testing.GrpcCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ServiceContext.endpoints}: a live view fed by WatchEndpoints, which the agent relays from
 * the controller.
 */
class ControllerDiscoveryTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @Test
  void aViewFillsFromTheControllerAndHearsEveryChange() throws Exception {
    List<StreamObserver<ServiceEndpoints>> watchers = new CopyOnWriteArrayList<>();
    List<String> asked = new CopyOnWriteArrayList<>();
    Server controller =
        grpc.register(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(
                    new ControlGrpc.ControlImplBase() {
                      @Override
                      public void watchEndpoints(
                          WatchEndpointsRequest request,
                          StreamObserver<ServiceEndpoints> response) {
                        asked.add(request.getService());
                        watchers.add(response);
                        response.onNext(set(20001));
                      }
                    })
                .build()
                .start());
    // The agent's link relays the watch; here the channel reaches a stand-in directly.
    try (ControllerDiscovery discovery =
        new ControllerDiscovery(
            grpc.register(
                NettyChannelBuilder.forAddress("127.0.0.1", controller.getPort())
                    .usePlaintext()
                    .build()))) {
      Endpoints orders = discovery.endpoints("orders");
      assertThat(discovery.endpoints("orders")).as("one view per service").isSameAs(orders);
      await().atMost(Duration.ofSeconds(10)).until(orders::known);
      Endpoint first = orders.current().get(0);
      assertThat(first.instanceId()).isEqualTo("orders-1");
      assertThat(first.host()).isEqualTo("10.0.0.7");
      assertThat(first.port("http")).isEqualTo(20001);
      assertThat(first.node()).isEqualTo("web-1");

      List<List<Endpoint>> heard = new CopyOnWriteArrayList<>();
      orders.onChange(heard::add);
      assertThat(heard).as("the current set, at once").hasSize(1);
      watchers.forEach(w -> w.onNext(set(20001, 20002)));
      await().atMost(Duration.ofSeconds(1)).until(() -> heard.size() == 2);
      assertThat(orders.current()).extracting(Endpoint::port).containsExactly(20001, 20002);
      assertThat(asked).containsExactly("orders");
    }
  }

  @Test
  void aViewNeedsAServiceName() {
    try (ControllerDiscovery discovery =
        new ControllerDiscovery(
            grpc.register(NettyChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build()))) {
      assertThatThrownBy(() -> discovery.endpoints(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("service:");
    }
  }

  private static ServiceEndpoints set(int... ports) {
    ServiceEndpoints.Builder set =
        ServiceEndpoints.newBuilder().setService("orders").setInCatalog(true);
    for (int i = 0; i < ports.length; i++) {
      set.addEndpoints(
          io.drover.v1.Endpoint.newBuilder()
              .setInstanceId("orders-" + (i + 1))
              .setNodeName("web-1")
              .setAddress("10.0.0.7")
              .putPorts("http", ports[i])
              .setPort(ports[i]));
    }
    return set.build();
  }
}
