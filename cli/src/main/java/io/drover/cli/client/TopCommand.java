package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.OutputFormat;
import io.drover.cli.output.Terminal;
import io.drover.common.config.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover top}: a live view of the nodes and instances. */
@Command(
    mixinStandardHelpOptions = true,
    name = "top",
    description = {
      "A live view of the nodes (CPU, memory) and the instances (CPU, RSS, request rate), "
          + "busiest first, refreshed every second. q or Ctrl-C quits.",
      "REQ/S is the instance's requests.rate1m (a one-minute rate) when its service reports one."
    })
public final class TopCommand extends ClientCommand {
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  @Option(
      names = "--once",
      description =
          "Print one frame, without escape codes, and exit (for scripts); with --output json, "
              + "one JSON object.")
  boolean once;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description = "Time between refreshes, at least 100ms (default: ${DEFAULT-VALUE}).")
  String interval;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out)
      throws InterruptedException {
    Duration every = interval();
    if (once) {
      TopView.Snapshot snapshot = TopView.fetch(client);
      if (options.output() == OutputFormat.json) {
        out.println(Json.pretty(TopView.json(snapshot)));
      } else {
        TopView.render(snapshot, client.address().toString(), "", 0, 0).forEach(out::println);
      }
      return 0;
    }
    if (options.output() == OutputFormat.json) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--output json needs --once: the live view is for people");
    }
    try (Terminal terminal = Terminal.open(out)) {
      TopView.Snapshot last = null;
      String problem = "";
      while (true) {
        Instant started = Instant.now();
        try {
          last = TopView.fetch(client);
          problem = "";
        } catch (StatusRuntimeException e) {
          problem = describe(e, client);
        }
        int[] size = terminal.size();
        List<String> lines = new ArrayList<>();
        if (last != null) {
          lines.addAll(
              TopView.render(
                  last,
                  client.address().toString(),
                  "q quits",
                  size[1],
                  problem.isEmpty() ? size[0] : size[0] - 1));
        }
        if (!problem.isEmpty()) {
          lines.add(0, problem.length() > size[1] ? problem.substring(0, size[1]) : problem);
        }
        terminal.draw(lines);
        Duration left = every.minus(Duration.between(started, Instant.now()));
        Instant until = Instant.now().plus(left);
        int key;
        while ((key = terminal.nextKey(Duration.between(Instant.now(), until))) >= 0) {
          if (key == 'q' || key == 'Q') {
            return 0;
          }
        }
      }
    }
  }

  private Duration interval() {
    Duration every;
    try {
      every = Durations.parse(interval);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--interval: " + e.getMessage());
    }
    if (every.compareTo(MIN_INTERVAL) < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--interval: at least 100ms, not " + interval);
    }
    return every;
  }

  private static String describe(StatusRuntimeException e, ControlClient client) {
    Status status = e.getStatus();
    String detail = status.getDescription() == null ? "" : ": " + status.getDescription();
    String what =
        switch (status.getCode()) {
          case UNAVAILABLE -> "cannot reach the controller at " + client.address();
          case DEADLINE_EXCEEDED -> "no answer in time from the controller at " + client.address();
          default -> status.getCode().toString();
        };
    return "! " + what + detail.replaceAll("\\s+", " ") + "; retrying";
  }
}
