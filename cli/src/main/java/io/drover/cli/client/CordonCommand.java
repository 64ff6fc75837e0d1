package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.v1.CordonNodeRequest;
import io.drover.v1.Node;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover cordon NODE} and {@code drover uncordon NODE}. */
public abstract class CordonCommand extends ClientCommand {
  @Parameters(paramLabel = "NODE", description = "Node id, unique id prefix, or name.")
  String node;

  abstract boolean cordon();

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    Node n =
        client
            .unary()
            .cordonNode(CordonNodeRequest.newBuilder().setNode(node).setCordon(cordon()).build());
    switch (options.output()) {
      case json -> out.println(Json.pretty(NodeViews.row(n)));
      case table ->
          out.printf(
              "node %s %s%n",
              n.getName(),
              n.getCordoned() ? "is cordoned: it takes no new instances" : "takes instances again");
    }
    return 0;
  }

  /** {@code drover cordon NODE}. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "cordon",
      description = "Stop placing new instances on a node; what runs there stays.")
  public static final class Cordon extends CordonCommand {
    @Override
    boolean cordon() {
      return true;
    }
  }

  /** {@code drover uncordon NODE}. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "uncordon",
      description = "Place instances on a node again (this also ends a drain).")
  public static final class Uncordon extends CordonCommand {
    @Override
    boolean cordon() {
      return false;
    }
  }
}
