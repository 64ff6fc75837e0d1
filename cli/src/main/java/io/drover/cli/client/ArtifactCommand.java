package io.drover.cli.client;

import com.google.protobuf.ByteString;
import io.drover.cli.output.Json;
import io.drover.v1.ArtifactChunk;
import io.drover.v1.ArtifactHeader;
import io.drover.v1.ArtifactInfo;
import io.drover.v1.ArtifactsGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover artifact push FILE}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "artifact",
    description = "Manage the jars stored in the controller.",
    subcommands = ArtifactCommand.Push.class)
public final class ArtifactCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: push");
  }

  /** {@code drover artifact push FILE}. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "push",
      description =
          "Store a jar in the controller; a catalog then names it as artifact: {blob: SHA256}.")
  public static final class Push extends ClientCommand {
    static final int CHUNK = 256 * 1024;

    @Parameters(paramLabel = "FILE", description = "The jar.")
    Path file;

    /** `drover artifact push --output json`. */
    public record Pushed(String sha256, long sizeBytes, String name) {}

    @Override
    protected int run(ControlClient client, ClientOptions options, PrintStream out)
        throws Exception {
      if (!Files.isRegularFile(file)) {
        throw new CommandLine.ParameterException(spec.commandLine(), file + ": file not found");
      }
      ArtifactInfo info = push(client);
      switch (options.output()) {
        case json ->
            out.println(
                Json.pretty(new Pushed(info.getSha256(), info.getSizeBytes(), info.getName())));
        case table ->
            out.printf(
                "pushed %s: %d bytes, sha256 %s%nuse it in a catalog as: artifact: {blob: %s}%n",
                file, info.getSizeBytes(), info.getSha256(), info.getSha256());
      }
      return 0;
    }

    /** Streams the file, writing only while the transport is ready. */
    private ArtifactInfo push(ControlClient client) throws Exception {
      CompletableFuture<ArtifactInfo> answer = new CompletableFuture<>();
      Semaphore ready = new Semaphore(0);
      CompletableFuture<ClientCallStreamObserver<ArtifactChunk>> call = new CompletableFuture<>();
      ArtifactsGrpc.newStub(client.channel())
          .withDeadlineAfter(30, TimeUnit.MINUTES)
          .push(
              new ClientResponseObserver<ArtifactChunk, ArtifactInfo>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<ArtifactChunk> requestStream) {
                  requestStream.setOnReadyHandler(ready::release);
                  call.complete(requestStream);
                }

                @Override
                public void onNext(ArtifactInfo value) {
                  answer.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                  answer.completeExceptionally(t);
                  ready.release();
                }

                @Override
                public void onCompleted() {}
              });
      ClientCallStreamObserver<ArtifactChunk> requests = call.join();
      try (InputStream in = Files.newInputStream(file)) {
        ArtifactChunk.Builder first =
            ArtifactChunk.newBuilder()
                .setHeader(
                    ArtifactHeader.newBuilder()
                        .setName(file.getFileName().toString())
                        .setSizeBytes(Files.size(file)));
        boolean sentHeader = false;
        while (!answer.isDone()) {
          byte[] data = in.readNBytes(CHUNK);
          if (data.length == 0 && sentHeader) {
            break;
          }
          while (!requests.isReady() && !answer.isDone()) {
            ready.tryAcquire(100, TimeUnit.MILLISECONDS);
          }
          ArtifactChunk.Builder chunk = sentHeader ? ArtifactChunk.newBuilder() : first;
          requests.onNext(chunk.setData(ByteString.copyFrom(data)).build());
          sentHeader = true;
        }
      } catch (NoSuchFileException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), file + ": file not found");
      }
      requests.onCompleted();
      try {
        return answer.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }
}
