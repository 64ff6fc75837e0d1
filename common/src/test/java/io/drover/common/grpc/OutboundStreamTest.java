package io.drover.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.GrpcCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboundStreamTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  private final CompletableFuture<OutboundStream<Event>> serverSide = new CompletableFuture<>();
  private ControlGrpc.ControlStub stub;

  @BeforeEach
  void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    grpc.register(
        InProcessServerBuilder.forName(name)
            .addService(
                new ControlGrpc.ControlImplBase() {
                  @Override
                  public void watchEvents(WatchEventsRequest r, StreamObserver<Event> out) {
                    serverSide.complete(
                        OutboundStream.attach((ServerCallStreamObserver<Event>) out, 16));
                  }
                })
            .build()
            .start());
    stub = ControlGrpc.newStub(grpc.register(InProcessChannelBuilder.forName(name).build()));
  }

  @Test
  void aSlowPeerGetsOnlyTheLatestSample() throws Exception {
    SlowReader reader = new SlowReader();
    stub.watchEvents(WatchEventsRequest.getDefaultInstance(), reader);
    OutboundStream<Event> out = serverSide.get(5, TimeUnit.SECONDS);

    for (int i = 1; i <= 1000; i++) {
      out.sendLatest(event(i));
      assertThat(out.backlog()).isLessThanOrEqualTo(1);
    }
    reader.request(1);
    await().until(() -> reader.received.size() == 1);
    assertThat(reader.received.get(0).getSequence()).isEqualTo(1000);
  }

  @Test
  void sendRefusesPastCapacityAndLosesNothingItAccepted() throws Exception {
    SlowReader reader = new SlowReader();
    stub.watchEvents(WatchEventsRequest.getDefaultInstance(), reader);
    OutboundStream<Event> out = serverSide.get(5, TimeUnit.SECONDS);

    int accepted = 0;
    while (out.send(event(accepted + 1))) {
      accepted++;
    }
    assertThat(accepted).isEqualTo(16);

    reader.request(100);
    await().until(() -> reader.received.size() == 16);
    assertThat(reader.received.stream().map(Event::getSequence).toList())
        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 16).boxed().toList());
  }

  @Test
  void completeWaitsForTheQueueAndFailEndsAtOnce() throws Exception {
    SlowReader reader = new SlowReader();
    stub.watchEvents(WatchEventsRequest.getDefaultInstance(), reader);
    OutboundStream<Event> out = serverSide.get(5, TimeUnit.SECONDS);
    out.send(event(1));
    out.send(event(2));
    out.complete();
    assertThat(out.send(event(3))).isFalse();
    assertThat(reader.done.isDone()).isFalse();
    reader.request(10);
    await().until(reader.done::isDone);
    assertThat(reader.done.get()).isNull();
    assertThat(reader.received).hasSize(2);

    out.fail(Status.INTERNAL);
    assertThat(out.isTerminated()).isTrue();
  }

  @Test
  void failReachesThePeerWithItsStatus() throws Exception {
    SlowReader reader = new SlowReader();
    stub.watchEvents(WatchEventsRequest.getDefaultInstance(), reader);
    OutboundStream<Event> out = serverSide.get(5, TimeUnit.SECONDS);
    out.send(event(1));
    out.fail(Status.RESOURCE_EXHAUSTED.withDescription("too slow"));
    await().until(reader.done::isDone);
    assertThat(Status.fromThrowable(reader.done.get()).getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(out.send(event(2))).isFalse();
  }

  @Test
  void finishWithAnErrorDeliversTheQueueFirst() throws Exception {
    SlowReader reader = new SlowReader();
    stub.watchEvents(WatchEventsRequest.getDefaultInstance(), reader);
    OutboundStream<Event> out = serverSide.get(5, TimeUnit.SECONDS);
    out.send(event(1));
    out.send(event(2));
    out.finish(Status.RESOURCE_EXHAUSTED.withDescription("behind"));
    assertThat(out.send(event(3))).isFalse();
    reader.request(10);
    await().until(reader.done::isDone);
    assertThat(reader.received).extracting(Event::getSequence).containsExactly(1L, 2L);
    assertThat(Status.fromThrowable(reader.done.get()).getDescription()).isEqualTo("behind");
  }

  private static Event event(long sequence) {
    return Event.newBuilder().setSequence(sequence).setKind("TEST").build();
  }

  /** A client that reads only what the test asks it to, like a peer on a slow link. */
  private static final class SlowReader
      implements ClientResponseObserver<WatchEventsRequest, Event> {
    final List<Event> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> done = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<WatchEventsRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchEventsRequest> requestStream) {
      call = requestStream;
      requestStream.disableAutoRequestWithInitial(0);
    }

    void request(int n) {
      call.request(n);
    }

    @Override
    public void onNext(Event value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.complete(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }
  }
}
