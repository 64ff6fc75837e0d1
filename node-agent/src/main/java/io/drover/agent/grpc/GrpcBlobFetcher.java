package io.drover.agent.grpc;

import io.drover.agent.artifacts.BlobFetcher;
import io.drover.v1.ArtifactChunk;
import io.drover.v1.ArtifactsGrpc;
import io.drover.v1.FetchArtifactRequest;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Fetches stored jars from the controller. The blocking stub reads one chunk at a time as it is
 * written to disk, so gRPC's flow control keeps the controller from sending faster than the disk
 * takes it.
 */
public final class GrpcBlobFetcher implements BlobFetcher {
  private final ManagedChannel channel;
  private final Executor io;

  public GrpcBlobFetcher(ManagedChannel channel, Executor io) {
    this.channel = channel;
    this.io = io;
  }

  @Override
  public CompletableFuture<Void> fetch(String sha256, Path target) {
    return CompletableFuture.runAsync(
        () -> {
          Iterator<ArtifactChunk> chunks =
              ArtifactsGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(10, TimeUnit.MINUTES)
                  .fetch(FetchArtifactRequest.newBuilder().setSha256(sha256).build());
          try (OutputStream out = Files.newOutputStream(target)) {
            while (chunks.hasNext()) {
              chunks.next().getData().writeTo(out);
            }
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
          }
        },
        io);
  }
}
