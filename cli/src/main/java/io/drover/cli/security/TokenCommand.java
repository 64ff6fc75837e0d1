package io.drover.cli.security;

import io.drover.cli.client.ClientCommand;
import io.drover.cli.client.ClientOptions;
import io.drover.cli.client.ControlClient;
import io.drover.cli.output.Json;
import io.drover.common.config.Durations;
import io.drover.v1.AccessGrpc;
import io.drover.v1.CreateJoinTokenRequest;
import io.drover.v1.CreateTokenRequest;
import io.drover.v1.CreateTokenResponse;
import io.drover.v1.JoinGrpc;
import io.drover.v1.JoinToken;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover token create}: a join token for new agents; {@code drover token create-api}: an API
 * token with a role for the admin API.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Join tokens for new agents, API tokens for the admin API.",
    subcommands = {TokenCommand.Create.class, TokenCommand.CreateApi.class})
public final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: create or create-api");
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a join token: an agent started with --join-token TOKEN --ca-fingerprint SHA256"
              + " trades it for a node certificate. The controller keeps only its hash; it is"
              + " shown once.")
  public static final class Create extends ClientCommand {
    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        description = "How long it can be used, such as 1h or 30m (default: 1h).")
    String ttl = "1h";

    @Option(
        names = "--uses",
        paramLabel = "N",
        description = "How many agents may join with it (default: 1).")
    int uses = 1;

    @Override
    protected int run(ControlClient client, ClientOptions options, PrintStream out) {
      Duration lifetime;
      try {
        lifetime = Durations.parse(ttl);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec().commandLine(), e.getMessage());
      }
      if (uses < 1) {
        throw new CommandLine.ParameterException(spec().commandLine(), "--uses must be >= 1");
      }
      JoinToken token =
          JoinGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(client.timeout().toMillis(), TimeUnit.MILLISECONDS)
              .createJoinToken(
                  CreateJoinTokenRequest.newBuilder()
                      .setTtlMs(lifetime.toMillis())
                      .setUses(uses)
                      .build());
      switch (options.output()) {
        case json -> {
          Map<String, Object> view = new LinkedHashMap<>();
          view.put("token", token.getToken());
          view.put("expiresAt", Instant.ofEpochMilli(token.getExpiresAtMs()).toString());
          view.put("uses", token.getUses());
          view.put("caFingerprint", token.getCaFingerprint());
          out.println(Json.pretty(view));
        }
        case table -> {
          out.println(token.getToken());
          System.err.println(
              "valid until "
                  + Instant.ofEpochMilli(token.getExpiresAtMs())
                  + " for "
                  + token.getUses()
                  + " join(s); agents join with: drover agent --join-token TOKEN"
                  + " --ca-fingerprint "
                  + token.getCaFingerprint());
        }
      }
      return 0;
    }
  }

  /** {@code drover token create-api}. Needs the admin role. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "create-api",
      description =
          "Issue an API token for the admin API with a role (see docs/ACCESS.md); it is printed"
              + " once and the controller keeps only its sha256.")
  public static final class CreateApi extends ClientCommand {
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Its name.")
    String name;

    @Option(
        names = "--role",
        paramLabel = "ROLE",
        description = "viewer, operator or admin (default: viewer).")
    String role = "viewer";

    /** `drover token create-api --output json`. */
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
