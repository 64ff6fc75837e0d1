package io.drover.agent.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.testing.GrpcCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Endpoint;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Containers find other services through their agent: the relay passes each watch on to the
 * controller, sends every set back, and cancels upstream when the container goes away.
 */
class EndpointsRelayTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  private final List<ServerCallStreamObserver<ServiceEndpoints>> watchers =
      new CopyOnWriteArrayList<>();
  private final AtomicBoolean upstreamCancelled = new AtomicBoolean();

  @Test
  void aWatchReachesTheControllerAndEveryChangeReachesTheContainer() throws Exception {
    ControlGrpc.ControlBlockingStub container = containerSide(controller());
    Context.CancellableContext watching = Context.current().withCancellation();
    Iterator<ServiceEndpoints> sets =
        watching.call(
            () ->
                container.watchEndpoints(
                    WatchEndpointsRequest.newBuilder().setService("orders").build()));
    assertThat(sets.next().getEndpointsList()).extracting(Endpoint::getPort).containsExactly(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> watchers.size() == 1);
    watchers.get(0).onNext(set(1, 2));
    assertThat(sets.next().getEndpointsList()).extracting(Endpoint::getPort).containsExactly(1, 2);

    watching.cancel(null);
    await().atMost(Duration.ofSeconds(5)).untilTrue(upstreamCancelled);
  }

  @Test
  void aListIsPassedOnAndTheControllersRefusalComesBackAsItIs() throws Exception {
    ControlGrpc.ControlBlockingStub container = containerSide(controller());
    assertThat(
            container
                .listEndpoints(ListEndpointsRequest.newBuilder().setService("orders").build())
                .getEndpointsCount())
        .isEqualTo(1);
    assertThatThrownBy(
            () ->
                container.listEndpoints(
                    ListEndpointsRequest.newBuilder().setService("nosuch").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).contains("nosuch");
            });
  }

  @Test
  void withoutASessionToTheControllerTheContainerIsToldSo() throws Exception {
    ControlGrpc.ControlBlockingStub container = containerSide(null);
    assertThatThrownBy(
            () ->
                container
                    .watchEndpoints(WatchEndpointsRequest.newBuilder().setService("o").build())
                    .next())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("no session");
            });
  }

  /** A stand-in for the controller's Control service. */
  private ManagedChannel controller() throws Exception {
    Server server =
        grpc.register(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(
                    new ControlGrpc.ControlImplBase() {
                      @Override
                      public void watchEndpoints(
                          WatchEndpointsRequest request,
                          StreamObserver<ServiceEndpoints> response) {
                        var call = (ServerCallStreamObserver<ServiceEndpoints>) response;
                        call.setOnCancelHandler(() -> upstreamCancelled.set(true));
                        watchers.add(call);
                        call.onNext(set(1));
                      }

                      @Override
                      public void listEndpoints(
                          ListEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
                        if (request.getService().equals("orders")) {
                          response.onNext(set(1));
                          response.onCompleted();
                        } else {
                          response.onError(
                              Status.NOT_FOUND
                                  .withDescription("service '" + request.getService() + "'")
                                  .asRuntimeException());
                        }
                      }
                    })
                .build()
                .start());
    return grpc.register(
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build());
  }

  /** The relay served as the agent serves it to containers, and a container's stub on it. */
  private ControlGrpc.ControlBlockingStub containerSide(ManagedChannel toController)
      throws Exception {
    Server relay =
        grpc.register(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new EndpointsRelay(() -> toController))
                .build()
                .start());
    return ControlGrpc.newBlockingStub(
            grpc.register(
                NettyChannelBuilder.forAddress("127.0.0.1", relay.getPort())
                    .usePlaintext()
                    .build()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static ServiceEndpoints set(int... ports) {
    ServiceEndpoints.Builder set = ServiceEndpoints.newBuilder().setService("orders");
    for (int port : ports) {
      set.addEndpoints(
          Endpoint.newBuilder()
              .setInstanceId("orders-" + port)
              .setAddress("10.0.0.7")
              .setPort(port));
    }
    return set.build();
  }
}
