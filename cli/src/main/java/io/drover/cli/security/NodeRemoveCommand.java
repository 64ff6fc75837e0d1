package io.drover.cli.security;

import io.drover.cli.client.ClientCommand;
import io.drover.cli.client.ClientOptions;
import io.drover.cli.client.ControlClient;
import io.drover.v1.JoinGrpc;
import io.drover.v1.RemoveNodeRequest;
import io.drover.v1.RemoveNodeResponse;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover node remove NODE}. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description =
        "Remove a node: revoke its certificates (it can no longer connect) and forget it; its"
            + " instances are replaced elsewhere. To come back it must join again with a new"
            + " token.")
public final class NodeRemoveCommand extends ClientCommand {
  @Parameters(paramLabel = "NODE", description = "Node id, unique id prefix, or name.")
  String node;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    RemoveNodeResponse removed =
        JoinGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(client.timeout().toMillis(), TimeUnit.MILLISECONDS)
            .removeNode(RemoveNodeRequest.newBuilder().setNode(node).build());
    out.println(
        "node "
            + removed.getNodeId()
            + " removed; "
            + removed.getRevoked()
            + " certificate(s) revoked");
    return 0;
  }
}
