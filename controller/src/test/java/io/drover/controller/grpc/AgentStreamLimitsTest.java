package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.CommandOutcome;
import io.drover.controller.config.AccessConfig;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.EventKind;
import io.drover.v1.AgentBatch;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.CommandResult;
import io.drover.v1.ControllerMessage;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Hello;
import io.drover.v1.Inventory;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.OverloadReport;
import io.drover.v1.PortRange;
import io.drover.v1.Telemetry;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent stream that floods telemetry or reports, or sends a field over its limit, is closed with
 * a status naming the limit, and what broke the limit never reaches the controller's state. An
 * agent that stops reading gets no more commands than its stream's queue holds.
 */
class AgentStreamLimitsTest {
  static final int RATE = 5;
  static final int BURST = 10;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  private Controller controller;
  private AgentGatewayGrpc.AgentGatewayStub gateway;

  @BeforeEach
  void start() {
    controller =
        cluster.controller(
            ControllerConfig.defaults(
                Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller")),
            AccessConfig.defaults().withAuth(false).withRates(RATE, RATE));
    gateway = AgentGatewayGrpc.newStub(cluster.channel(controller.grpcPort()));
  }

  @Test
  void aTelemetryFloodClosesTheStreamAndTheExcessIsNotApplied() {
    RawStream stream = open();
    long epoch = stream.hello();
    // The burst passes, all with one load; everything after it carries another.
    for (int i = 0; i < BURST; i++) {
      stream.send(telemetry(epoch, 0.25));
    }
    for (int i = 0; i < 50; i++) {
      stream.send(telemetry(epoch, 0.75));
    }
    Status status = stream.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription())
        .contains("telemetry: more than " + RATE + " messages a second")
        .contains("limits.agentTelemetryPerSecond");
    var node =
        cluster
            .control(controller.grpcPort())
            .getNode(GetNodeRequest.newBuilder().setNode("flood").build());
    assertThat(node.getTelemetry().getCpuLoad()).isEqualTo(0.25);
    assertThat(controller.events().tail(50))
        .anyMatch(e -> e.kind() == EventKind.AGENT_STREAM_REJECTED);
  }

  @Test
  void aReportFloodClosesTheStreamAfterTheBurst() {
    RawStream stream = open();
    long epoch = stream.hello();
    for (int i = 0; i < 60; i++) {
      stream.send(
          AgentMessage.newBuilder()
              .setSessionEpoch(epoch)
              .setOverload(OverloadReport.newBuilder().setInstanceId("i-" + i).setReason("busy"))
              .build());
    }
    Status status = stream.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("limits.agentReportsPerSecond");
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(
            () ->
                controller.events().tail(500).stream()
                        .filter(e -> e.kind() == EventKind.INSTANCE_OVERLOADED)
                        .count()
                    <= BURST + 1);
  }

  /** Messages are asked of the transport a few at a time: many more than that all get through. */
  @Test
  void messagesWithoutALimitAllReachTheControllerInOrder() {
    RawStream stream = open();
    long epoch = stream.hello();
    for (int i = 0; i < 200; i++) {
      stream.send(
          AgentMessage.newBuilder()
              .setSessionEpoch(epoch)
              .setCommandResult(CommandResult.newBuilder().setCommandId("unknown-" + i))
              .build());
    }
    stream.send(telemetry(epoch, 0.5));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cluster
                        .control(controller.grpcPort())
                        .getNode(GetNodeRequest.newBuilder().setNode("flood").build())
                        .getTelemetry()
                        .getCpuLoad()
                    == 0.5);
    assertThat(stream.closed).isNotDone();
  }

  /** A batch is handled message by message: in order, and each counts against its limit. */
  @Test
  void aBatchIsHandledInOrderAndCountsAgainstTheLimitsMessageByMessage() {
    RawStream stream = open();
    long epoch = stream.hello();
    AgentBatch.Builder fine = AgentBatch.newBuilder();
    for (int i = 0; i < 3; i++) {
      fine.addMessages(
          AgentMessage.newBuilder()
              .setCommandResult(CommandResult.newBuilder().setCommandId("unknown-" + i)));
    }
    fine.addMessages(telemetry(0, 0.25)).addMessages(telemetry(0, 0.5));
    stream.send(AgentMessage.newBuilder().setSessionEpoch(epoch).setBatch(fine).build());
    var control = cluster.control(controller.grpcPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                control
                        .getNode(GetNodeRequest.newBuilder().setNode("flood").build())
                        .getTelemetry()
                        .getCpuLoad()
                    == 0.5);
    assertThat(stream.closed).isNotDone();

    AgentBatch.Builder flood = AgentBatch.newBuilder();
    for (int i = 0; i < 60; i++) {
      flood.addMessages(telemetry(0, 0.75));
    }
    stream.send(AgentMessage.newBuilder().setSessionEpoch(epoch).setBatch(flood).build());
    Status status = stream.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription()).contains("limits.agentTelemetryPerSecond");
  }

  @Test
  void anOversizedReportFieldIsRefusedByName() {
    RawStream stream = open();
    long epoch = stream.hello();
    stream.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(epoch)
            .setOverload(
                OverloadReport.newBuilder().setInstanceId("i".repeat(300)).setReason("busy"))
            .build());
    Status status = stream.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("overload.instance_id: is 300 characters long");
    assertThat(controller.events().tail(50))
        .noneMatch(e -> e.kind() == EventKind.INSTANCE_OVERLOADED);
  }

  @Test
  void commandsToAnAgentThatStopsReadingFailOnceItsQueueIsFullAndTheStreamStaysOpen() {
    RawStream stream = new RawStream();
    stream.readOnlyWelcome = true;
    // A 16 KiB window: the transport takes a few hundred commands whatever the machine's speed,
    // so the stream's queue fills. With the default 1 MiB window, a fast event loop could take
    // all 5,000 and nothing would fail.
    stream.requests =
        AgentGatewayGrpc.newStub(cluster.channel(controller.grpcPort(), 16 * 1024)).connect(stream);
    stream.hello();
    List<CompletableFuture<CommandOutcome>> sent = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      sent.add(
          controller
              .nodes()
              .send(
                  "flood-node-id",
                  new AgentCommand.ReleaseContainer("c-" + i, Duration.ofSeconds(1))));
    }
    // The transport's window and the stream's queue take the first ones; the rest fail at once
    // with the reason, instead of piling up in the controller or blocking the caller.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> sent.stream().filter(CompletableFuture::isDone).count() > 1_000);
    List<CommandOutcome> failed =
        sent.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
    assertThat(failed)
        .allSatisfy(
            outcome -> {
              assertThat(outcome.ok()).isFalse();
              assertThat(outcome.error()).contains("flood").contains("closed or full");
            });
    assertThat(sent.get(0)).isNotDone();
    assertThat(stream.closed).isNotDone();
    stream.requests.onCompleted();
  }

  private static AgentMessage telemetry(long epoch, double load) {
    return AgentMessage.newBuilder()
        .setSessionEpoch(epoch)
        .setTelemetry(Telemetry.newBuilder().setNode(NodeTelemetry.newBuilder().setCpuLoad(load)))
        .build();
  }

  private RawStream open() {
    RawStream stream = new RawStream();
    stream.requests = gateway.connect(stream);
    return stream;
  }

  /** A hand-driven agent stream. */
  private static final class RawStream
      implements ClientResponseObserver<AgentMessage, ControllerMessage> {
    final List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    StreamObserver<AgentMessage> requests;
    // An agent that reads its welcome and then nothing: flow control holds the controller back.
    boolean readOnlyWelcome;

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
      if (readOnlyWelcome) {
        requestStream.disableAutoRequestWithInitial(1);
      }
    }

    long hello() {
      send(
          AgentMessage.newBuilder()
              .setHello(
                  Hello.newBuilder()
                      .setNodeId("flood-node-id")
                      .setNodeName("flood")
                      .setAgentVersion("test")
                      .setInventory(Inventory.newBuilder().setHostname("flood").setLogicalCores(1))
                      .setInstancePorts(PortRange.newBuilder().setLow(30000).setHigh(30100)))
              .build());
      await().until(() -> !received.isEmpty());
      return received.get(0).getSessionEpoch();
    }

    void send(AgentMessage message) {
      requests.onNext(message);
    }

    Status status() {
      return Status.fromThrowable(closed.orTimeout(10, TimeUnit.SECONDS).join());
    }

    @Override
    public void onNext(ControllerMessage value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      closed.complete(t);
    }

    @Override
    public void onCompleted() {
      closed.complete(Status.OK.asRuntimeException());
    }
  }
}
