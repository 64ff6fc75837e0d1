package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.agent.NodeAgent;
import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.EventKind;
import io.drover.v1.AgentBatch;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.ControllerMessage;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Hello;
import io.drover.v1.Inventory;
import io.drover.v1.NodeState;
import io.drover.v1.NodeTelemetry;
import io.drover.v1.PortRange;
import io.drover.v1.Telemetry;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that breaks the protocol gets INVALID_ARGUMENT and loses its stream; the controller and
 * a well-behaved agent connected at the same time carry on.
 */
class MalformedAgentMessagesTest {
  static final int LIMIT = 64 << 10;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  private Controller controller;
  private NodeAgent goodAgent;
  private AgentGatewayGrpc.AgentGatewayStub gateway;

  @BeforeEach
  void startClusterWithOneGoodAgent() {
    controller =
        cluster.controller(
            ControllerConfig.defaults(
                    Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"))
                .withTelemetryInterval(Duration.ofMillis(200))
                .withMaxMessageBytes(LIMIT));
    goodAgent = cluster.agent(controller.grpcPort(), dir.resolve("good"), "good");
    await().atMost(Duration.ofSeconds(10)).until(() -> goodAgent.linkStatus().connected());
    gateway = AgentGatewayGrpc.newStub(cluster.channel(controller.grpcPort()));
  }

  @Test
  void helloWithoutNodeId() {
    RawStream stream = open();
    stream.send(AgentMessage.newBuilder().setHello(validHello().toBuilder().clearNodeId()).build());
    assertRejected(stream, "hello.node_id: must not be empty");
  }

  @Test
  void telemetryBeforeHello() {
    RawStream stream = open();
    stream.send(
        AgentMessage.newBuilder()
            .setTelemetry(Telemetry.newBuilder().setNode(NodeTelemetry.getDefaultInstance()))
            .build());
    assertRejected(stream, "telemetry: arrived before the hello");
  }

  @Test
  void oversizedMessage() {
    RawStream stream = open();
    stream.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !stream.received.isEmpty());
    long epoch = stream.received.get(0).getSessionEpoch();
    NodeTelemetry.Builder huge = NodeTelemetry.newBuilder();
    for (int i = 0; i < LIMIT / 8 + 100; i++) {
      huge.addCoreLoads(0.5);
    }
    stream.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(epoch)
            .setTelemetry(Telemetry.newBuilder().setNode(huge))
            .build());
    assertRejected(stream, "exceeds the limit of " + LIMIT + " bytes");
    // The node of the broken stream was open; it is now disconnected, not lost in limbo.
    await()
        .until(
            () ->
                cluster
                        .control(controller.grpcPort())
                        .getNode(GetNodeRequest.newBuilder().setNode("raw").build())
                        .getState()
                    == NodeState.NODE_STATE_DISCONNECTED);
  }

  /**
   * A compressed message is sized as decompressed, as the limit says: the handler counts what it
   * parses, since the transport does not know that length beforehand.
   */
  @Test
  void oversizedCompressedMessage() {
    gateway = gateway.withCompression("gzip");
    RawStream stream = open();
    stream.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !stream.received.isEmpty());
    long epoch = stream.received.get(0).getSessionEpoch();
    // Both compress to far less than the limit; the first is under it as sent, the second over.
    stream.send(telemetry(epoch, 4000));
    await()
        .until(
            () ->
                cluster
                    .control(controller.grpcPort())
                    .getNode(GetNodeRequest.newBuilder().setNode("raw").build())
                    .hasTelemetry());
    stream.send(telemetry(epoch, LIMIT / 8 + 100));
    assertRejected(stream, "exceeds the limit of " + LIMIT + " bytes");
  }

  private static AgentMessage telemetry(long epoch, int coreLoads) {
    NodeTelemetry.Builder node = NodeTelemetry.newBuilder();
    for (int i = 0; i < coreLoads; i++) {
      node.addCoreLoads(0.5);
    }
    return AgentMessage.newBuilder()
        .setSessionEpoch(epoch)
        .setTelemetry(Telemetry.newBuilder().setNode(node))
        .build();
  }

  @Test
  void emptyMessageAndWrongEpoch() {
    RawStream empty = open();
    empty.send(AgentMessage.getDefaultInstance());
    assertRejected(empty, "AgentMessage.body: is empty");

    RawStream stale = open();
    stale.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !stale.received.isEmpty());
    stale.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(stale.received.get(0).getSessionEpoch() + 7)
            .setTelemetry(Telemetry.newBuilder().setNode(NodeTelemetry.getDefaultInstance()))
            .build());
    assertRejected(stale, "session_epoch:");
  }

  @Test
  void aBatchHoldingAHelloOrABatch() {
    RawStream hello = open();
    hello.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !hello.received.isEmpty());
    assertThat(hello.received.get(0).getWelcome().getAcceptsAgentBatches()).isTrue();
    hello.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(hello.received.get(0).getSessionEpoch())
            .setBatch(
                AgentBatch.newBuilder()
                    .addMessages(AgentMessage.newBuilder().setHello(validHello())))
            .build());
    assertRejected(hello, "AgentMessage.batch: holds a hello, which must come alone");

    RawStream nested = open();
    nested.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !nested.received.isEmpty());
    nested.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(nested.received.get(0).getSessionEpoch())
            .setBatch(
                AgentBatch.newBuilder()
                    .addMessages(
                        AgentMessage.newBuilder().setBatch(AgentBatch.getDefaultInstance())))
            .build());
    assertRejected(nested, "AgentMessage.batch: holds a batch, which must come alone");
  }

  @Test
  void aBatchOfAnotherEpoch() {
    RawStream stale = open();
    stale.send(AgentMessage.newBuilder().setHello(validHello()).build());
    await().until(() -> !stale.received.isEmpty());
    long epoch = stale.received.get(0).getSessionEpoch();
    // The batch's epoch counts; the messages in it carry the right one in vain.
    stale.send(
        AgentMessage.newBuilder()
            .setSessionEpoch(epoch + 7)
            .setBatch(AgentBatch.newBuilder().addMessages(telemetry(epoch, 1)))
            .build());
    assertRejected(stale, "session_epoch:");
  }

  private void assertRejected(RawStream stream, String description) {
    Status status = Status.fromThrowable(stream.closed.join());
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains(description);
    assertThat(controller.events().tail(20))
        .anyMatch(e -> e.kind() == EventKind.AGENT_STREAM_REJECTED);

    // The controller and the good agent are unaffected: it stays READY and keeps reporting.
    var control = cluster.control(controller.grpcPort());
    long seen =
        control.getNode(GetNodeRequest.newBuilder().setNode("good").build()).getLastSeenMs();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              var node = control.getNode(GetNodeRequest.newBuilder().setNode("good").build());
              return node.getState() == NodeState.NODE_STATE_READY && node.getLastSeenMs() > seen;
            });
    assertThat(goodAgent.linkStatus().connected()).isTrue();
    assertThat(goodAgent.linkStatus().sessionEpoch()).isEqualTo(1);
  }

  private RawStream open() {
    RawStream stream = new RawStream();
    stream.requests = gateway.connect(stream);
    return stream;
  }

  private static Hello validHello() {
    return Hello.newBuilder()
        .setNodeId("raw-node-id")
        .setNodeName("raw")
        .setAgentVersion("test")
        .setInventory(Inventory.newBuilder().setHostname("raw").setLogicalCores(1))
        .setInstancePorts(PortRange.newBuilder().setLow(30000).setHigh(30100))
        .build();
  }

  /** A hand-driven agent stream that can send anything. */
  private static final class RawStream implements StreamObserver<ControllerMessage> {
    final List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    StreamObserver<AgentMessage> requests;

    void send(AgentMessage message) {
      requests.onNext(message);
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
