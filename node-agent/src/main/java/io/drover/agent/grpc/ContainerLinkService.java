package io.drover.agent.grpc;

import io.drover.agent.containers.ContainerChannel;
import io.drover.agent.containers.ContainerSupervisor;
import io.drover.common.grpc.OutboundStream;
import io.drover.v1.AgentToContainer;
import io.drover.v1.AttachAccepted;
import io.drover.v1.ContainerLinkGrpc;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * Thin adapter from {@code ContainerLink.Attach} to the supervisor. The first message must be an
 * attach with the container's id and secret; the supervisor decides whether it is accepted. After
 * that, the stream can only speak for that container.
 */
public final class ContainerLinkService extends ContainerLinkGrpc.ContainerLinkImplBase {
  private static final int OUTBOUND_CAPACITY = 64;
  private final ContainerSupervisor supervisor;

  public ContainerLinkService(ContainerSupervisor supervisor) {
    this.supervisor = supervisor;
  }

  @Override
  public StreamObserver<ContainerMessage> attach(StreamObserver<AgentToContainer> responses) {
    ServerCallStreamObserver<AgentToContainer> call =
        (ServerCallStreamObserver<AgentToContainer>) responses;
    OutboundStream<AgentToContainer> out = OutboundStream.attach(call, OUTBOUND_CAPACITY);
    Link link = new Link(out);
    call.setOnCancelHandler(link::gone);
    return link;
  }

  /** One container's stream; it becomes that container's channel once attached. */
  private final class Link implements StreamObserver<ContainerMessage>, ContainerChannel {
    private final OutboundStream<AgentToContainer> out;
    private volatile String containerId;

    Link(OutboundStream<AgentToContainer> out) {
      this.out = out;
    }

    @Override
    public void onNext(ContainerMessage message) {
      String id = containerId;
      if (id == null) {
        if (!message.hasAttach() || message.getAttach().getContainerId().isEmpty()) {
          out.fail(
              Status.INVALID_ARGUMENT.withDescription(
                  "the first message must be an attach with the container id"));
          return;
        }
        containerId = message.getAttach().getContainerId();
        supervisor.attached(message.getAttach(), this);
        return;
      }
      switch (message.getBodyCase()) {
        case STATE_CHANGE ->
            supervisor.stateChanged(
                id,
                this,
                message.getStateChange().getState(),
                message.getStateChange().getReason());
        case METRICS -> supervisor.metrics(id, this, message.getMetrics());
        case OVERLOAD -> supervisor.overload(id, message.getOverload());
        case ERROR -> supervisor.error(id, message.getError());
        case ATTACH -> out.fail(Status.INVALID_ARGUMENT.withDescription("attach sent twice"));
        case BODY_NOT_SET -> out.fail(Status.INVALID_ARGUMENT.withDescription("empty message"));
      }
    }

    @Override
    public void onError(Throwable t) {
      gone();
    }

    @Override
    public void onCompleted() {
      gone();
      out.complete();
    }

    void gone() {
      out.terminated();
      String id = containerId;
      if (id != null) {
        supervisor.detached(id, this);
      }
    }

    @Override
    public void accept(int metricsIntervalMs) {
      out.send(
          AgentToContainer.newBuilder()
              .setAccepted(AttachAccepted.newBuilder().setMetricsIntervalMs(metricsIntervalMs))
              .build());
    }

    @Override
    public void reject(String reason) {
      out.fail(Status.UNAUTHENTICATED.withDescription(reason));
    }

    @Override
    public boolean assign(ServiceAssignment assignment) {
      return out.send(AgentToContainer.newBuilder().setAssign(assignment).build());
    }

    @Override
    public boolean release(int gracePeriodMs) {
      return out.send(
          AgentToContainer.newBuilder()
              .setRelease(ReleaseContainer.newBuilder().setGracePeriodMs(gracePeriodMs))
              .build());
    }
  }
}
