package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.common.config.Durations;
import io.drover.v1.DrainNodeRequest;
import io.drover.v1.DrainNodeResponse;
import io.drover.v1.Event;
import io.drover.v1.WatchEventsRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover drain NODE}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "drain",
    description =
        "Move every instance off a node, make-before-break: each replacement is ready before its"
            + " original stops. The node is cordoned first.")
public final class DrainCommand extends ClientCommand {
  @Parameters(paramLabel = "NODE", description = "Node id, unique id prefix, or name.")
  String node;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      description =
          "After this, what is left is stopped without waiting for a replacement, except where"
              + " that would take a service below its minimum.")
  String deadline;

  @Option(
      names = "--max-parallel",
      paramLabel = "N",
      defaultValue = "1",
      description = "Instances moved at once (default: ${DEFAULT-VALUE}).")
  int maxParallel;

  @Option(
      names = "--wait",
      description = "Print the drain's events and return once the node runs nothing.")
  boolean waitForIt;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    Duration limit;
    try {
      limit = deadline == null ? Duration.ZERO : Durations.parse(deadline);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--deadline: " + e.getMessage());
    }
    // Watch before asking, so that no event of this drain is missed.
    Iterator<Event> events =
        waitForIt
            ? client
                .streaming()
                .withDeadlineAfter(
                    limit.isZero() ? TimeUnit.HOURS.toMillis(24) : limit.toMillis() + 60_000,
                    TimeUnit.MILLISECONDS)
                .watchEvents(WatchEventsRequest.newBuilder().setFollow(true).build())
            : null;
    DrainNodeResponse response =
        client
            .unary()
            .drainNode(
                DrainNodeRequest.newBuilder()
                    .setNode(node)
                    .setDeadlineSeconds((int) limit.toSeconds())
                    .setMaxParallel(maxParallel)
                    .build());
    String name = response.getNode().getName();
    switch (options.output()) {
      case json -> out.println(Json.pretty(NodeViews.row(response.getNode())));
      case table -> out.printf("draining node %s%n", name);
    }
    if (events != null) {
      while (events.hasNext()) {
        Event e = events.next();
        if (e.getSubject().equals("node/" + name) || e.getKind().startsWith("INSTANCE_")) {
          out.printf("%-18s %s%n", e.getKind(), e.getMessage());
        }
        if (e.getKind().equals("NODE_DRAINED") && e.getSubject().equals("node/" + name)) {
          return 0;
        }
      }
    }
    return 0;
  }
}
