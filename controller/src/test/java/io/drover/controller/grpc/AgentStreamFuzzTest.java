package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.events.EventJournal;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.v1.AgentMessage;
import io.drover.v1.ControllerMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Arbitrary bytes, read as a sequence of {@code AgentMessage}s, fed to the gateway's handler of one
 * {@code Connect} stream. Whatever arrives, the handler never throws, and a stream it closes is
 * closed with INVALID_ARGUMENT or RESOURCE_EXHAUSTED: INTERNAL would mean an unexpected exception
 * (a converter tripping over a field). Plain {@code ./mvnw verify} runs the seed corpus ({@code
 * AgentStreamFuzzTestInputs/}); docs/ACCESS.md says how to fuzz for longer.
 */
class AgentStreamFuzzTest {
  /**
   * @param input frames of a 2-byte big-endian length and that many bytes, each parsed as one
   *     {@code AgentMessage} (see {@link #frames})
   */
  @FuzzTest(maxDuration = "30s")
  void anyMessagesOnOneStream(byte[] input) {
    EventJournal events = new EventJournal(1000, Clock.systemUTC());
    NodeRegistry registry = new NodeRegistry(events, Clock.systemUTC());
    AgentGatewayGrpcService gateway =
        new AgentGatewayGrpcService(
            registry, events, AgentEvents.NONE, Duration.ofSeconds(1), 64 << 10, 1000, 1000);
    RecordingCall call = new RecordingCall();
    StreamObserver<AgentMessage> stream = gateway.connect(call);
    for (byte[] bytes : frames(input)) {
      AgentMessage message;
      try {
        message = AgentMessage.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        continue; // the transport would refuse it before the handler
      }
      stream.onNext(message);
    }
    stream.onCompleted();
    for (Status status : call.errors) {
      assertThat(status.getCode())
          .as(status.toString())
          .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);
    }
  }

  /** Splits the input into at most 64 frames; a short last frame takes what is left. */
  static List<byte[]> frames(byte[] input) {
    List<byte[]> frames = new ArrayList<>();
    int at = 0;
    while (at + 2 <= input.length && frames.size() < 64) {
      int length = ((input[at] & 0xff) << 8) | (input[at + 1] & 0xff);
      at += 2;
      int end = Math.min(input.length, at + length);
      frames.add(java.util.Arrays.copyOfRange(input, at, end));
      at = end;
    }
    return frames;
  }

  /** The server side of one call, recording what the handler sends and how it ends. */
  static final class RecordingCall extends ServerCallStreamObserver<ControllerMessage> {
    final List<ControllerMessage> sent = new ArrayList<>();
    final List<Status> errors = new ArrayList<>();

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(ControllerMessage value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {
      errors.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {}
  }
}
