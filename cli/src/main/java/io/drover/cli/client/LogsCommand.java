package io.drover.cli.client;

import io.drover.common.errors.UnavailableException;
import io.drover.v1.LogChunk;
import io.drover.v1.StreamLogsRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover logs INSTANCE}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "logs",
    description =
        "Print an instance's log (its service's standard output and error), read from its node.")
public final class LogsCommand extends ClientCommand {
  @Parameters(
      paramLabel = "INSTANCE",
      description = "The instance id, as `drover instances` lists it.")
  String instance;

  @Option(
      names = "--tail",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "How many of the last lines to print first; 0 for none (default: ${DEFAULT-VALUE}).")
  int tail;

  @Option(
      names = {"-f", "--follow"},
      description =
          "Keep printing what the instance writes until interrupted or until the instance stops.")
  boolean follow;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    if (tail < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--tail: give 0 or more lines, not " + tail);
    }
    StreamLogsRequest request =
        StreamLogsRequest.newBuilder()
            .setInstanceId(instance)
            .setFollow(follow)
            .setTailLines(tail)
            .build();
    if (!follow) {
      print(client.unary().streamLogs(request), out);
      return 0;
    }
    // Ctrl-C ends the JVM through its shutdown hooks: cancel the call there, so that the agent
    // stops reading at once rather than when the connection drops.
    Context.CancellableContext call = Context.current().withCancellation();
    Thread cancel = new Thread(() -> call.cancel(null), "drover-logs-cancel");
    Runtime.getRuntime().addShutdownHook(cancel);
    try {
      call.run(() -> print(client.streaming().streamLogs(request), out));
    } finally {
      call.cancel(null);
      try {
        Runtime.getRuntime().removeShutdownHook(cancel);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running already.
      }
    }
    return 0;
  }

  private static void print(Iterator<LogChunk> chunks, PrintStream out) {
    try {
      while (chunks.hasNext()) {
        LogChunk chunk = chunks.next();
        if (!chunk.getData().isEmpty()) {
          chunk.getData().writeTo(out);
          out.flush();
        }
        if (!chunk.getEndReason().isEmpty()) {
          System.err.println("drover: " + chunk.getEndReason());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (StatusRuntimeException e) {
      throw fromNode(e);
    }
  }

  /**
   * The controller answers UNAVAILABLE naming the node when the instance's agent is unreachable;
   * that is not the controller being unreachable, which is what the client reports otherwise.
   */
  private static RuntimeException fromNode(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    if (e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && e.getCause() == null
        && description != null
        && description.startsWith("node ")) {
      return new UnavailableException("UNAVAILABLE: " + description, e);
    }
    return e;
  }
}
