package io.drover.controller.grpc;

import io.drover.common.Version;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.grpc.OutboundStream;
import io.drover.common.grpc.StatusMapping;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.logs.LogRequest;
import io.drover.controller.logs.LogRouter;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.scheduling.CatalogService;
import io.drover.controller.scheduling.Scheduler;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ApplyCatalogResponse;
import io.drover.v1.Cluster;
import io.drover.v1.ControlGrpc;
import io.drover.v1.CordonNodeRequest;
import io.drover.v1.DrainNodeRequest;
import io.drover.v1.DrainNodeResponse;
import io.drover.v1.Event;
import io.drover.v1.GetClusterRequest;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListContainersResponse;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListInstancesResponse;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.ListNodesResponse;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ListServicesResponse;
import io.drover.v1.LogChunk;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.ServiceStatus;
import io.drover.v1.StreamLogsRequest;
import io.drover.v1.WatchEndpointsRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Thin adapter from the {@code Control} API to the controller's domain. */
public final class ControlGrpcService extends ControlGrpc.ControlImplBase {
  /** A watcher this many events behind is closed instead of making the controller buffer more. */
  static final int WATCH_BACKLOG = 4096;

  static final int MAX_TAIL = 100_000;

  /** Lines of a log sent when the request names no number. */
  static final int DEFAULT_TAIL_LINES = 100;

  private final NodeRegistry nodes;
  private final EventJournal events;
  private final Scheduler scheduler;
  private final CatalogService catalog;
  private final LogRouter logs;
  private final Instant startedAt;
  private final EndpointBook endpoints;
  private final NodeConverters.Inventories inventories = new NodeConverters.Inventories();

  public ControlGrpcService(
      NodeRegistry nodes,
      EventJournal events,
      Scheduler scheduler,
      CatalogService catalog,
      LogRouter logs,
      Instant startedAt,
      EndpointBook endpoints) {
    this.endpoints = endpoints;
    this.nodes = nodes;
    this.events = events;
    this.scheduler = scheduler;
    this.catalog = catalog;
    this.logs = logs;
    this.startedAt = startedAt;
  }

  @Override
  public void listServices(
      ListServicesRequest request, StreamObserver<ListServicesResponse> response) {
    Unary.answerLater(
        response,
        scheduler
            .services()
            .thenApply(
                all ->
                    ListServicesResponse.newBuilder()
                        .addAllServices(all.stream().map(SchedulingConverters::service).toList())
                        .build()));
  }

  @Override
  public void listInstances(
      ListInstancesRequest request, StreamObserver<ListInstancesResponse> response) {
    Unary.answerLater(
        response,
        nodeFilter(request.getNode())
            .thenCompose(
                nodeId ->
                    scheduler.instances(
                        ProtoLimits.text("service", request.getService(), ProtoLimits.SHORT_TEXT),
                        nodeId))
            .thenApply(
                all ->
                    ListInstancesResponse.newBuilder()
                        .addAllInstances(
                            all.stream()
                                .map(i -> SchedulingConverters.instance(i, nodes.get(i.nodeId())))
                                .toList())
                        .build()));
  }

  @Override
  public void listContainers(
      ListContainersRequest request, StreamObserver<ListContainersResponse> response) {
    Unary.answerLater(
        response,
        nodeFilter(request.getNode())
            .thenCompose(scheduler::containers)
            .thenApply(
                all ->
                    ListContainersResponse.newBuilder()
                        .addAllContainers(
                            all.stream()
                                .map(
                                    e ->
                                        SchedulingConverters.container(
                                            e.getKey(),
                                            e.getValue(),
                                            nodes.get(e.getKey().nodeId())))
                                .toList())
                        .build()));
  }

  @Override
  public void cordonNode(CordonNodeRequest request, StreamObserver<io.drover.v1.Node> response) {
    Unary.answerLater(
        response,
        nodeId(request.getNode())
            .thenCompose(id -> scheduler.cordon(id, request.getCordon()))
            .thenApply(NodeConverters::node));
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> response) {
    Optional<Duration> deadline =
        request.getDeadlineSeconds() == 0
            ? Optional.empty()
            : Optional.of(Duration.ofSeconds(request.getDeadlineSeconds()));
    Unary.answerLater(
        response,
        nodeId(request.getNode())
            .thenCompose(
                id ->
                    scheduler
                        .drain(id, deadline, request.getMaxParallel())
                        .thenCombine(
                            scheduler.draining(id),
                            (node, draining) ->
                                DrainNodeResponse.newBuilder()
                                    .setNode(NodeConverters.node(node))
                                    .setDraining(draining)
                                    .build())));
  }

  private CompletableFuture<String> nodeId(String node) {
    if (node.isBlank()) {
      return CompletableFuture.failedFuture(
          new InvalidArgumentException("node", "give a node id or name"));
    }
    return nodeFilter(node);
  }

  /** The id of the node a listing is limited to; empty for all; NOT_FOUND for an unknown one. */
  private CompletableFuture<String> nodeFilter(String node) {
    try {
      ProtoLimits.text("node", node, ProtoLimits.SHORT_TEXT);
      return CompletableFuture.completedFuture(node.isEmpty() ? "" : nodes.find(node).id());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void applyCatalog(
      ApplyCatalogRequest request, StreamObserver<ApplyCatalogResponse> response) {
    try {
      ProtoLimits.text("source_name", request.getSourceName(), ProtoLimits.SHORT_TEXT);
    } catch (RuntimeException e) {
      response.onError(StatusMapping.toException(e));
      return;
    }
    Unary.answerLater(
        response,
        catalog
            .apply(
                request.getYaml(),
                request.getSourceName().isEmpty() ? "catalog" : request.getSourceName())
            .thenApply(
                count ->
                    ApplyCatalogResponse.newBuilder()
                        .setServices(count)
                        .setSource(catalog.describe())
                        .build()));
  }

  @Override
  public void scaleService(ScaleServiceRequest request, StreamObserver<ServiceStatus> response) {
    if (request.getService().isEmpty()) {
      response.onError(
          StatusMapping.toException(
              new InvalidArgumentException("service", "give a service name")));
      return;
    }
    try {
      ProtoLimits.text("service", request.getService(), ProtoLimits.SHORT_TEXT);
    } catch (RuntimeException e) {
      response.onError(StatusMapping.toException(e));
      return;
    }
    Unary.answerLater(
        response,
        scheduler
            .scale(
                request.getService(),
                request.getReplicas(),
                "operator request by " + AccessInterceptor.caller())
            .thenApply(SchedulingConverters::service));
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
        () -> {
          List<Node> listed = nodes.list();
          ListNodesResponse.Builder answer = ListNodesResponse.newBuilder();
          for (Node node : listed) {
            answer.addNodes(NodeConverters.node(node, inventories));
          }
          inventories.keepOnly(listed);
          return answer.build();
        });
  }

  @Override
  public void getNode(GetNodeRequest request, StreamObserver<io.drover.v1.Node> response) {
    Unary.answer(
        response,
        () -> {
          if (request.getNode().isBlank()) {
            throw new InvalidArgumentException("node", "give a node id or name");
          }
          ProtoLimits.text("node", request.getNode(), ProtoLimits.SHORT_TEXT);
          return NodeConverters.node(nodes.find(request.getNode()), inventories);
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

  @Override
  public void streamLogs(StreamLogsRequest request, StreamObserver<LogChunk> response) {
    LogChunkWriter writer = new LogChunkWriter((ServerCallStreamObserver<LogChunk>) response);
    int tail = request.hasTailLines() ? request.getTailLines() : DEFAULT_TAIL_LINES;
    logs.open(new LogRequest(request.getInstanceId().strip(), request.getFollow(), tail), writer)
        .whenComplete(
            (subscription, error) -> {
              if (error == null) {
                writer.attach(subscription);
              } else {
                writer.failed(
                    error instanceof CompletionException && error.getCause() != null
                        ? asRuntime(error.getCause())
                        : asRuntime(error));
              }
            });
  }

  private static RuntimeException asRuntime(Throwable error) {
    return error instanceof RuntimeException runtime
        ? runtime
        : new CompletionException(error.getMessage(), error);
  }

  @Override
  public void listEndpoints(
      ListEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
    Unary.answer(
        response,
        () -> DiscoveryConverters.endpoints(endpoints.current(service(request.getService()))));
  }

  @Override
  public void watchEndpoints(
      WatchEndpointsRequest request, StreamObserver<ServiceEndpoints> response) {
    ServerCallStreamObserver<ServiceEndpoints> call =
        (ServerCallStreamObserver<ServiceEndpoints>) response;
    String service;
    try {
      service = service(request.getService());
    } catch (InvalidArgumentException e) {
      call.onError(StatusMapping.toException(e));
      return;
    }
    // Every set is whole, so a slow reader loses nothing by getting only the latest one.
    OutboundStream<ServiceEndpoints> out = OutboundStream.attach(call, 1);
    AtomicReference<Runnable> cancel = new AtomicReference<>(() -> {});
    call.setOnCancelHandler(
        () -> {
          out.terminated();
          cancel.get().run();
        });
    cancel.set(endpoints.watch(service, set -> out.sendLatest(DiscoveryConverters.endpoints(set))));
    if (call.isCancelled()) {
      cancel.get().run();
    }
  }

  private static String service(String name) {
    if (name.isBlank()) {
      throw new InvalidArgumentException("service", "give a service name");
    }
    return name;
  }
}
