package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.events.EventKind;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.GetClusterRequest;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Control API, health and /healthz of a real controller, without agents. */
class ControlApiTest {
  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;
  private Controller controller;
  private ControlGrpc.ControlBlockingStub control;

  @BeforeEach
  void start() {
    controller = cluster.controller(dir);
    control = cluster.control(controller.grpcPort());
  }

  @Test
  void unknownNodeIsNotFoundAndEmptyNameIsInvalid() {
    assertThatThrownBy(() -> control.getNode(GetNodeRequest.newBuilder().setNode("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("node 'nope' not found");
            });
    assertThatThrownBy(() -> control.getNode(GetNodeRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void clusterSummaryOfAnEmptyCluster() {
    var cluster = control.getCluster(GetClusterRequest.getDefaultInstance());
    assertThat(cluster.getNodesTotal()).isZero();
    assertThat(cluster.getNodesByStateMap()).containsEntry("READY", 0);
    assertThat(cluster.getControllerVersion()).isNotBlank();
  }

  @Test
  void eventsHistoryThenFollow() {
    for (int i = 1; i <= 3; i++) {
      controller.events().publish(EventKind.NODE_JOINED, "node/n" + i, "joined " + i);
    }
    Iterator<Event> stream =
        control
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .watchEvents(WatchEventsRequest.newBuilder().setTail(2).setFollow(true).build());
    assertThat(stream.next().getSubject()).isEqualTo("node/n2");
    assertThat(stream.next().getSubject()).isEqualTo("node/n3");
    controller.events().publish(EventKind.NODE_DISCONNECTED, "node/n1", "left");
    Event live = stream.next();
    assertThat(live.getKind()).isEqualTo("NODE_DISCONNECTED");
    assertThat(live.getSequence()).isGreaterThan(3);
  }

  @Test
  void eventsWithoutFollowEndAfterTheHistory() {
    controller.events().publish(EventKind.NODE_JOINED, "node/n1", "joined");
    List<Event> all = new java.util.ArrayList<>();
    control
        .watchEvents(WatchEventsRequest.newBuilder().setTail(50).build())
        .forEachRemaining(all::add);
    // The controller's own start event and the one published here.
    assertThat(all).extracting(Event::getKind).containsExactly("CONTROLLER_STARTED", "NODE_JOINED");
  }

  @Test
  void tooLargeATailIsInvalid() {
    Iterator<Event> stream =
        control.watchEvents(WatchEventsRequest.newBuilder().setTail(1_000_000).build());
    assertThatThrownBy(stream::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith("tail:");
            });
  }

  @Test
  void aWatcherThatStopsReadingIsCutOffNotBufferedForever() {
    var stub = ControlGrpc.newStub(cluster.channel(controller.grpcPort()));
    List<Event> received = new CopyOnWriteArrayList<>();
    CompletableFuture<Throwable> end = new CompletableFuture<>();
    CompletableFuture<ClientCallStreamObserver<WatchEventsRequest>> call =
        new CompletableFuture<>();
    stub.watchEvents(
        WatchEventsRequest.newBuilder().setFollow(true).build(),
        new ClientResponseObserver<WatchEventsRequest, Event>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchEventsRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(0);
            call.complete(requestStream);
          }

          @Override
          public void onNext(Event value) {
            received.add(value);
          }

          @Override
          public void onError(Throwable t) {
            end.complete(t);
          }

          @Override
          public void onCompleted() {
            end.complete(null);
          }
        });
    await().until(() -> controller.events().subscriberCount() == 1);

    // Far more than the transport window and the watcher's backlog together.
    for (int i = 0; i < 60_000; i++) {
      controller.events().publish(EventKind.NODE_JOINED, "node/flood", "event " + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.events().subscriberCount() == 0);

    call.join().request(Integer.MAX_VALUE);
    Throwable error = end.orTimeout(10, TimeUnit.SECONDS).join();
    Status status = Status.fromThrowable(error);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("after_sequence=");
    // What did arrive is complete and in order, so after_sequence resumes without a gap.
    for (int i = 1; i < received.size(); i++) {
      assertThat(received.get(i).getSequence()).isEqualTo(received.get(i - 1).getSequence() + 1);
    }
    long resumeAfter =
        Long.parseLong(status.getDescription().replaceAll(".*after_sequence=(\\d+).*", "$1"));
    assertThat(resumeAfter).isEqualTo(received.get(received.size() - 1).getSequence());
  }

  @Test
  void grpcHealthAndHttpHealthz() throws Exception {
    var health =
        HealthGrpc.newBlockingStub(cluster.channel(controller.grpcPort()))
            .withDeadlineAfter(5, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(
            health
                .check(HealthCheckRequest.newBuilder().setService("drover.v1.Control").build())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    HttpResponse<String> healthz =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + controller.httpPort() + "/healthz"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(healthz.statusCode()).isEqualTo(200);
    assertThat(healthz.body()).contains("\"status\":\"ok\"");
  }

  /** What `grpcurl list` and `grpcurl describe` ask: gRPC server reflection, v1. */
  @Test
  void reflectionListsTheServicesAndDescribesControl() throws Exception {
    List<ServerReflectionResponse> answers =
        reflect(
            ServerReflectionRequest.newBuilder().setListServices("").build(),
            ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("drover.v1.Control")
                .build());

    assertThat(answers.get(0).getListServicesResponse().getServiceList())
        .extracting(ServiceResponse::getName)
        .contains(
            "drover.v1.Control",
            "drover.v1.AgentGateway",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection");

    List<ByteString> files =
        answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoList();
    assertThat(files).isNotEmpty();
    List<ServiceDescriptorProto> services = new java.util.ArrayList<>();
    for (ByteString file : files) {
      FileDescriptorProto proto = FileDescriptorProto.parseFrom(file);
      if (proto.getPackage().equals("drover.v1")) {
        services.addAll(proto.getServiceList());
      }
    }
    assertThat(services)
        .filteredOn(s -> s.getName().equals("Control"))
        .singleElement()
        .satisfies(
            control ->
                assertThat(control.getMethodList())
                    .extracting(MethodDescriptorProto::getName)
                    .contains("GetCluster", "ListNodes", "ScaleService", "WatchEvents"));
  }

  /** Sends the requests on one reflection stream and collects an answer to each. */
  private List<ServerReflectionResponse> reflect(ServerReflectionRequest... requests) {
    List<ServerReflectionResponse> answers = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> out =
        ServerReflectionGrpc.newStub(cluster.channel(controller.grpcPort()))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse answer) {
                    answers.add(answer);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    for (ServerReflectionRequest request : requests) {
      out.onNext(request);
    }
    out.onCompleted();
    done.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(answers).hasSize(requests.length);
    for (ServerReflectionResponse answer : answers) {
      assertThat(answer.hasErrorResponse()).as(answer.getErrorResponse().toString()).isFalse();
    }
    return answers;
  }
}
