package io.drover.agent.grpc;

import io.drover.common.grpc.OutboundStream;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The controller's endpoint calls, served to containers on their link and passed on over the
 * agent's own session: a container needs no credentials of its own to find other services, and on a
 * cluster with mutual TLS the controller sees the node's certificate.
 */
final class EndpointsRelay extends ControlGrpc.ControlImplBase {
  private static final long LIST_DEADLINE_SECONDS = 10;

  private final Supplier<Channel> controller;

  /**
   * @param controller the agent's channel to the controller; null until the agent has one
   */
  EndpointsRelay(Supplier<Channel> controller) {
    this.controller = controller;
  }

  @Override
  public void listEndpoints(
      ListEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
    Channel channel = controller.get();
    if (channel == null) {
      response.onError(notConnected());
      return;
    }
    ControlGrpc.newStub(channel)
        .withDeadlineAfter(LIST_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .listEndpoints(request, response);
  }

  @Override
  public void watchEndpoints(
      WatchEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
    ServerCallStreamObserver<ServiceEndpoints> container =
        (ServerCallStreamObserver<ServiceEndpoints>) response;
    Channel channel = controller.get();
    if (channel == null) {
      container.onError(notConnected());
      return;
    }
    // Every set is whole: a container that reads slowly gets only the latest.
    OutboundStream<ServiceEndpoints> out = OutboundStream.attach(container, 1);
    ControlGrpc.newStub(channel)
        .watchEndpoints(
            request,
            new ClientResponseObserver<WatchEndpointsRequest, ServiceEndpoints>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<WatchEndpointsRequest> upstream) {
                container.setOnCancelHandler(
                    () -> {
                      out.terminated();
                      upstream.cancel("the container stopped watching", null);
                    });
              }

              @Override
              public void onNext(ServiceEndpoints set) {
                out.sendLatest(set);
              }

              @Override
              public void onError(Throwable t) {
                out.finish(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                out.complete();
              }
            });
  }

  private static RuntimeException notConnected() {
    return Status.UNAVAILABLE
        .withDescription("the agent has no session with the controller yet")
        .asRuntimeException();
  }
}
