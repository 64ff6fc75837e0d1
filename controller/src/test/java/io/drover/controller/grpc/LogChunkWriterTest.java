package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.common.errors.UnavailableException;
import io.drover.controller.logs.LogSubscription;
import io.drover.testing.GrpcCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.LogChunk;
import io.drover.v1.StreamLogsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The controller's end of a log stream: chunks reach the client only as fast as it reads, and each
 * one written, not each one received, gives the agent a credit.
 */
class LogChunkWriterTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  private final CompletableFuture<LogChunkWriter> writer = new CompletableFuture<>();
  private final AtomicInteger credits = new AtomicInteger();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private ManagedChannel channel;

  @BeforeEach
  void serve() throws Exception {
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(
                new ControlGrpc.ControlImplBase() {
                  @Override
                  public void streamLogs(
                      StreamLogsRequest request, StreamObserver<LogChunk> response) {
                    LogChunkWriter chunks =
                        new LogChunkWriter((ServerCallStreamObserver<LogChunk>) response);
                    chunks.attach(
                        new LogSubscription() {
                          @Override
                          public void passedOn(int n) {
                            credits.addAndGet(n);
                          }

                          @Override
                          public void cancel() {
                            cancelled.set(true);
                          }
                        });
                    writer.complete(chunks);
                  }
                })
            .build()
            .start());
    channel = grpc.register(InProcessChannelBuilder.forName(name).build());
  }

  /** A client that reads only as many chunks as the test asks for. */
  private final class SlowReader implements ClientResponseObserver<StreamLogsRequest, LogChunk> {
    final List<LogChunk> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCallStreamObserver<StreamLogsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamLogsRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(LogChunk value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }

  private SlowReader read() throws Exception {
    SlowReader reader = new SlowReader();
    ControlGrpc.newStub(channel)
        .streamLogs(StreamLogsRequest.newBuilder().setInstanceId("hello-1").build(), reader);
    return reader;
  }

  @Test
  void creditFollowsWhatTheClientReadsAndTheEndComesAfterEveryChunk() throws Exception {
    SlowReader reader = read();
    LogChunkWriter chunks = writer.get();
    for (int i = 0; i < 5; i++) {
      chunks.chunk("c1", ("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    chunks.ended("instance hello-1 no longer runs on this node; end of its log (node n1)");
    await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> reader.received.size() == 1 && credits.get() == 1);

    reader.call.request(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> credits.get() == 3);
    assertThat(reader.end).isNotDone();

    reader.call.request(10);
    assertThat(reader.end.get()).isEqualTo(Status.OK);
    assertThat(reader.received).hasSize(6);
    assertThat(reader.received.subList(0, 5))
        .extracting(c -> c.getData().toStringUtf8())
        .containsExactly("line 0\n", "line 1\n", "line 2\n", "line 3\n", "line 4\n");
    assertThat(reader.received.get(5).getEndReason()).contains("no longer runs");
    // A credit is given after its chunk is written, so the last ones may trail the client's end.
    await().atMost(Duration.ofSeconds(5)).until(() -> credits.get() == 5);
    await()
        .alias("the end chunk carries no data and costs no credit")
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> credits.get() == 5);
  }

  @Test
  void anErrorComesAfterTheChunksBeforeIt() throws Exception {
    SlowReader reader = read();
    LogChunkWriter chunks = writer.get();
    chunks.chunk("c1", "last words\n".getBytes(StandardCharsets.UTF_8));
    chunks.failed(
        new UnavailableException(
            "node n1: its agent is disconnected; the log of instance hello-1 ends here"));
    reader.call.request(10);
    Status status = reader.end.get();
    assertThat(reader.received)
        .extracting(c -> c.getData().toStringUtf8())
        .containsExactly("last words\n");
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).startsWith("node n1: its agent is disconnected");
  }

  @Test
  void aClientThatGoesAwayCancelsTheAgentsReading() throws Exception {
    SlowReader reader = read();
    LogChunkWriter chunks = writer.get();
    chunks.chunk("c1", "one\n".getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == 1);
    reader.call.cancel("Ctrl-C", null);
    await().atMost(Duration.ofSeconds(5)).until(cancelled::get);
    chunks.chunk("c1", "after\n".getBytes(StandardCharsets.UTF_8));
    assertThat(credits.get()).isEqualTo(1);
  }
}
