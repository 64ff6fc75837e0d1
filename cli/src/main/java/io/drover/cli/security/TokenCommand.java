package io.drover.cli.security;

import io.drover.cli.client.ClientCommand;
import io.drover.cli.client.ClientOptions;
import io.drover.cli.client.ControlClient;
import io.drover.cli.output.Json;
import io.drover.common.config.Durations;
import io.drover.v1.CreateTokenRequest;
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

/** {@code drover token create}: a join token for new agents. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Join tokens for new agents.",
    subcommands = {TokenCommand.Create.class})
public final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: create");
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
              .createToken(
                  CreateTokenRequest.newBuilder()
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
}
