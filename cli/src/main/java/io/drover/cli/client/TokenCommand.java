package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.v1.AccessGrpc;
import io.drover.v1.CreateTokenRequest;
import io.drover.v1.CreateTokenResponse;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover token create-admin --role ROLE --name NAME}: API tokens for the admin API. */
@Command(
    mixinStandardHelpOptions = true,
    name = "token",
    description = "Manage API tokens (see docs/ACCESS.md).",
    subcommands = TokenCommand.CreateAdmin.class)
public final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: create-admin");
  }

  /** {@code drover token create-admin}. Needs the admin role. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "create-admin",
      description =
          "Issue an API token for the admin API with a role; it is printed once and the"
              + " controller keeps only its sha256.")
  public static final class CreateAdmin extends ClientCommand {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Its name.")
    String name;

    @Option(
        names = "--role",
        paramLabel = "ROLE",
        description = "viewer, operator or admin (default: viewer).")
    String role = "viewer";

    /** `drover token create-admin --output json`. */
    public record Created(String name, String role, String token) {}

    @Override
    protected int run(ControlClient client, ClientOptions options, PrintStream out) {
      CreateTokenResponse created =
          AccessGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(client.timeout().toMillis(), TimeUnit.MILLISECONDS)
              .createToken(CreateTokenRequest.newBuilder().setName(name).setRole(role).build());
      switch (options.output()) {
        case json ->
            out.println(
                Json.pretty(new Created(created.getName(), created.getRole(), created.getToken())));
        case table -> {
          out.println(created.getToken());
          System.err.printf(
              "token %s (%s) created; it is shown only now%n",
              created.getName(), created.getRole());
        }
      }
      return 0;
    }
  }
}
