package io.drover.controller.grpc;

import io.drover.common.Version;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.grpc.OutboundStream;
import io.drover.common.grpc.StatusMapping;
import io.drover.controller.events.EventJournal;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.NodeState;
import io.drover.v1.Cluster;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.GetClusterRequest;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.ListNodesResponse;
import io.drover.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Thin adapter from the {@code Control} API to the controller's domain. */
public final class ControlGrpcService extends ControlGrpc.ControlImplBase {
  /** A watcher this many events behind is closed instead of making the controller buffer more. */
  static final int WATCH_BACKLOG = 4096;

  static final int MAX_TAIL = 100_000;

  private final NodeRegistry nodes;
  private final EventJournal events;
  private final Instant startedAt;

  public ControlGrpcService(NodeRegistry nodes, EventJournal events, Instant startedAt) {
    this.nodes = nodes;
    this.events = events;
    this.startedAt = startedAt;
  }

  @Override
  public void getCluster(GetClusterRequest request, StreamObserver<Cluster> response) {
    Unary.answer(
        response,
        () -> {
          List<Node> all = nodes.list();
          Cluster.Builder cluster =
              Cluster.newBuilder()
                  .setControllerVersion(Version.current())
                  .setStartedAtMs(startedAt.toEpochMilli())
                  .setNodesTotal(all.size());
          for (NodeState state : NodeState.values()) {
            cluster.putNodesByState(
                state.name(), (int) all.stream().filter(n -> n.state() == state).count());
          }
          List<Node> ready = all.stream().filter(n -> n.state() == NodeState.READY).toList();
          cluster.setLogicalCoresTotal(
              ready.stream().mapToInt(n -> n.inventory().logicalCores()).sum());
          cluster.setMemoryBytesTotal(
              ready.stream().mapToLong(n -> n.inventory().memoryBytes()).sum());
          cluster.setContainersTotal(all.stream().mapToInt(Node::containers).sum());
          return cluster.build();
        });
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    Unary.answer(
        response,
        () ->
            ListNodesResponse.newBuilder()
                .addAllNodes(nodes.list().stream().map(NodeConverters::node).toList())
                .build());
  }

  @Override
  public void getNode(GetNodeRequest request, StreamObserver<io.drover.v1.Node> response) {
    Unary.answer(
        response,
        () -> {
          if (request.getNode().isBlank()) {
            throw new InvalidArgumentException("node", "give a node id or name");
          }
          return NodeConverters.node(nodes.find(request.getNode()));
        });
  }

  @Override
  public void watchEvents(WatchEventsRequest request, StreamObserver<Event> response) {
    ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) response;
    if (request.getTail() > MAX_TAIL) {
      call.onError(
          StatusMapping.toException(
              new InvalidArgumentException("tail", "at most " + MAX_TAIL + " events")));
      return;
    }
    OutboundStream<Event> out = OutboundStream.attach(call, WATCH_BACKLOG);
    AtomicReference<Runnable> cancel = new AtomicReference<>(() -> {});
    AtomicLong lastQueued = new AtomicLong(request.getAfterSequence());
    AtomicBoolean cutOff = new AtomicBoolean();
    call.setOnCancelHandler(
        () -> {
          out.terminated();
          cancel.get().run();
        });
    Runnable subscription =
        events.subscribe(
            request.getAfterSequence(),
            request.getTail(),
            request.getFollow(),
            event -> {
              if (cutOff.get()) {
                return;
              }
              if (out.send(NodeConverters.event(event))) {
                lastQueued.set(event.sequence());
                return;
              }
              cutOff.set(true);
              // The watcher still gets everything queued, so it can resume right after it.
              out.finish(
                  Status.RESOURCE_EXHAUSTED.withDescription(
                      "this watcher fell "
                          + WATCH_BACKLOG
                          + " events behind; watch again with after_sequence="
                          + lastQueued.get()
                          + " to resume"));
              cancel.get().run();
            });
    cancel.set(subscription);
    if (cutOff.get()) {
      subscription.run();
    }
    if (!request.getFollow()) {
      out.complete();
    }
  }
}
