package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.drover.agent.artifacts.ArtifactCache;
import io.drover.agent.grpc.GrpcBlobFetcher;
import io.drover.controller.artifacts.ArtifactStore;
import io.drover.v1.ArtifactChunk;
import io.drover.v1.ArtifactHeader;
import io.drover.v1.ArtifactInfo;
import io.drover.v1.ArtifactsGrpc;
import io.drover.v1.FetchArtifactRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars of many chunks through the controller's Artifacts service on a real Netty server, fetched by
 * the agent's own fetcher and cache; a server interceptor counts the chunks the service sends.
 */
class ArtifactTransferTest {
  @TempDir Path dir;
  private final AtomicInteger chunksSent = new AtomicInteger();
  private ExecutorService disk;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    disk = Executors.newFixedThreadPool(2);
    ArtifactStore store = new ArtifactStore(dir.resolve("store"), 1L << 30, Clock.systemUTC());
    ServerInterceptor countChunks =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                  @Override
                  public void sendMessage(R message) {
                    if (message instanceof ArtifactChunk) {
                      chunksSent.incrementAndGet();
                    }
                    super.sendMessage(message);
                  }
                },
                headers);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerInterceptors.intercept(new ArtifactsGrpcService(store, disk), countChunks))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    disk.shutdownNow();
  }

  @Test
  void aJarOfManyChunksIsPushedAndFetchedWholeByTheAgent() throws Exception {
    byte[] jar = random(3 * (1 << 20) + 7, 1);
    String sha256 = sha256(jar);

    ArtifactInfo stored = push("big.jar", jar);
    assertThat(stored.getSha256()).isEqualTo(sha256);
    assertThat(stored.getSizeBytes()).isEqualTo(jar.length);

    ExecutorService io = Executors.newFixedThreadPool(2);
    try {
      ArtifactCache cache =
          new ArtifactCache(dir.resolve("agent-cache"), new GrpcBlobFetcher(channel, io), io);
      Path fetched = cache.resolve("blob:" + sha256, sha256).get(60, TimeUnit.SECONDS);
      assertThat(Files.readAllBytes(fetched)).isEqualTo(jar);
    } finally {
      io.shutdownNow();
    }
    int chunks = (jar.length + ArtifactsGrpcService.CHUNK - 1) / ArtifactsGrpcService.CHUNK;
    assertThat(chunks).isEqualTo(13);
    assertThat(chunksSent).hasValue(chunks);
  }

  @Test
  void aReaderThatStopsReadingHoldsTheControllerBack() throws Exception {
    byte[] jar = random(16 << 20, 2); // 64 chunks
    String sha256 = sha256(jar);
    push("huge.jar", jar);

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    AtomicInteger chunksReceived = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<ClientCallStreamObserver<FetchArtifactRequest>> call =
        new CompletableFuture<>();
    ArtifactsGrpc.newStub(channel)
        .fetch(
            FetchArtifactRequest.newBuilder().setSha256(sha256).build(),
            new ClientResponseObserver<FetchArtifactRequest, ArtifactChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<FetchArtifactRequest> stream) {
                stream.disableAutoRequestWithInitial(1);
                call.complete(stream);
              }

              @Override
              public void onNext(ArtifactChunk chunk) {
                assertThat(chunk.getData().size()).isLessThanOrEqualTo(ArtifactsGrpcService.CHUNK);
                synchronized (received) {
                  received.writeBytes(chunk.getData().toByteArray());
                }
                chunksReceived.incrementAndGet();
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

    await().atMost(Duration.ofSeconds(10)).until(() -> chunksReceived.get() == 1);
    // The reader takes no more. Without flow control the service would send all 64 chunks at
    // once; with it, it stops once the transport's window (1 MiB) is full.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> chunksSent.get() <= 8 && chunksReceived.get() == 1);

    call.join().request(Integer.MAX_VALUE);
    done.get(60, TimeUnit.SECONDS);
    assertThat(chunksReceived).hasValue(64);
    assertThat(chunksSent).hasValue(64);
    assertThat(sha256(received.toByteArray())).isEqualTo(sha256);
  }

  /** Pushes in 100 KB pieces, as the CLI does in pieces of its own size. */
  private ArtifactInfo push(String name, byte[] jar) throws Exception {
    CompletableFuture<ArtifactInfo> answer = new CompletableFuture<>();
    StreamObserver<ArtifactChunk> out =
        ArtifactsGrpc.newStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .push(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ArtifactInfo info) {
                    answer.complete(info);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    int piece = 100_000;
    for (int offset = 0; offset < jar.length; offset += piece) {
      ArtifactChunk.Builder chunk =
          ArtifactChunk.newBuilder()
              .setData(ByteString.copyFrom(jar, offset, Math.min(piece, jar.length - offset)));
      if (offset == 0) {
        chunk.setHeader(
            ArtifactHeader.newBuilder()
                .setName(name)
                .setSizeBytes(jar.length)
                .setSha256(sha256(jar)));
      }
      out.onNext(chunk.build());
    }
    out.onCompleted();
    return answer.get(60, TimeUnit.SECONDS);
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
