package io.drover.controller.grpc;

import com.google.protobuf.ByteString;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.grpc.StatusMapping;
import io.drover.controller.artifacts.ArtifactInfo;
import io.drover.controller.artifacts.ArtifactStore;
import io.drover.v1.ArtifactChunk;
import io.drover.v1.ArtifactsGrpc;
import io.drover.v1.FetchArtifactRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Thin adapter from the Artifacts service to the store. File I/O never runs in a gRPC callback:
 * uploads ask for one chunk at a time and write it on the I/O executor before asking for the next;
 * downloads read the next chunk only while the caller's transport is ready.
 */
public final class ArtifactsGrpcService extends ArtifactsGrpc.ArtifactsImplBase {
  static final int CHUNK = 256 * 1024;

  private final ArtifactStore store;
  private final Executor disk;

  public ArtifactsGrpcService(ArtifactStore store, Executor disk) {
    this.store = store;
    this.disk = disk;
  }

  @Override
  public io.grpc.stub.StreamObserver<ArtifactChunk> push(
      io.grpc.stub.StreamObserver<io.drover.v1.ArtifactInfo> response) {
    var call = (io.grpc.stub.ServerCallStreamObserver<io.drover.v1.ArtifactInfo>) response;
    call.disableAutoRequest();
    call.request(1);
    AtomicBoolean failed = new AtomicBoolean();
    return new io.grpc.stub.StreamObserver<>() {
      private ArtifactStore.Upload upload;
      // One upload's steps run in order, one at a time: the half-close can arrive while the
      // last chunk is still being written.
      private CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);

      private synchronized void step(Runnable work) {
        steps = steps.thenRunAsync(work, disk);
      }

      @Override
      public void onNext(ArtifactChunk chunk) {
        step(
            () -> {
              if (failed.get()) {
                return;
              }
              try {
                if (upload == null) {
                  if (!chunk.hasHeader()) {
                    throw new InvalidArgumentException(
                        "header", "the first chunk must carry the header");
                  }
                  upload =
                      store.begin(
                          chunk.getHeader().getName(),
                          chunk.getHeader().getSizeBytes(),
                          chunk.getHeader().getSha256());
                }
                upload.write(chunk.getData().toByteArray());
                call.request(1);
              } catch (RuntimeException e) {
                fail(e);
              }
            });
      }

      @Override
      public void onError(Throwable t) {
        step(
            () -> {
              if (upload != null) {
                upload.close();
              }
            });
      }

      @Override
      public void onCompleted() {
        step(
            () -> {
              if (failed.get()) {
                return;
              }
              try {
                if (upload == null) {
                  throw new InvalidArgumentException("header", "nothing was pushed");
                }
                ArtifactInfo info = upload.finish();
                response.onNext(
                    io.drover.v1.ArtifactInfo.newBuilder()
                        .setSha256(info.sha256())
                        .setSizeBytes(info.sizeBytes())
                        .setName(info.name())
                        .setStoredAtMs(info.storedAt().toEpochMilli())
                        .build());
                response.onCompleted();
              } catch (RuntimeException e) {
                fail(e);
              }
            });
      }

      private void fail(RuntimeException e) {
        if (failed.compareAndSet(false, true)) {
          if (upload != null) {
            upload.close();
          }
          response.onError(StatusMapping.toException(e));
        }
      }
    };
  }

  @Override
  public void fetch(
      FetchArtifactRequest request, io.grpc.stub.StreamObserver<ArtifactChunk> response) {
    var call = (io.grpc.stub.ServerCallStreamObserver<ArtifactChunk>) response;
    try {
      // Service jars may carry secrets: on a TLS port only nodes of the cluster fetch them.
      ClientCertificateInterceptor.requireNode();
    } catch (RuntimeException e) {
      call.onError(StatusMapping.toException(e));
      return;
    }
    Path jar = store.find(request.getSha256()).orElse(null);
    if (jar == null) {
      call.onError(
          StatusMapping.toException(new NotFoundException("artifact", request.getSha256())));
      return;
    }
    Pump pump;
    try {
      pump = new Pump(call, Files.newInputStream(jar));
    } catch (IOException e) {
      call.onError(StatusMapping.toException(e));
      return;
    }
    call.setOnCancelHandler(pump::close);
    call.setOnReadyHandler(() -> disk.execute(pump::run));
    disk.execute(pump::run);
  }

  /** Writes chunks while the transport is ready; one run at a time. */
  private static final class Pump {
    private final io.grpc.stub.ServerCallStreamObserver<ArtifactChunk> call;
    private final InputStream in;
    private boolean done;

    Pump(io.grpc.stub.ServerCallStreamObserver<ArtifactChunk> call, InputStream in) {
      this.call = call;
      this.in = in;
    }

    synchronized void run() {
      try {
        while (!done && call.isReady()) {
          byte[] buffer = in.readNBytes(CHUNK);
          if (buffer.length == 0) {
            done = true;
            in.close();
            call.onCompleted();
            return;
          }
          call.onNext(ArtifactChunk.newBuilder().setData(ByteString.copyFrom(buffer)).build());
        }
      } catch (IOException | RuntimeException e) {
        if (!done) {
          done = true;
          close();
          try {
            call.onError(StatusMapping.toException(e));
          } catch (IllegalStateException alreadyClosed) {
            // cancelled by the caller meanwhile
          }
        }
      }
    }

    synchronized void close() {
      done = true;
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to recover
      }
    }
  }
}
