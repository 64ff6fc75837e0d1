package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.OutputFormat;
import io.drover.v1.Event;
import io.drover.v1.WatchEventsRequest;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drover events}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "events",
    description = "Show recent events (every decision and change, with its reason).")
public final class EventsCommand extends ClientCommand {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  @Option(
      names = "--tail",
      paramLabel = "N",
      defaultValue = "50",
      description = "How many past events to show first (default: ${DEFAULT-VALUE}).")
  int tail;

  @Option(
      names = {"-f", "--follow"},
      description =
          "Keep printing new events until interrupted; with --output json, one JSON object per line.")
  boolean follow;

  /** One event of `drover events --output json`. */
  public record EventView(
      long sequence,
      String time,
      String kind,
      String subject,
      String message,
      Map<String, String> attributes) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    WatchEventsRequest request =
        WatchEventsRequest.newBuilder().setTail(Math.max(0, tail)).setFollow(follow).build();
    Iterator<Event> events =
        follow ? client.streaming().watchEvents(request) : client.unary().watchEvents(request);
    if (options.output() == OutputFormat.json && !follow) {
      List<EventView> all = new ArrayList<>();
      events.forEachRemaining(e -> all.add(view(e)));
      out.println(Json.pretty(all));
      return 0;
    }
    while (events.hasNext()) {
      Event e = events.next();
      if (options.output() == OutputFormat.json) {
        out.println(Json.line(view(e)));
      } else {
        out.printf(
            "%s  %-22s %-18s %s%n",
            TIME.format(Instant.ofEpochMilli(e.getTimeMs())),
            e.getKind(),
            e.getSubject(),
            e.getMessage());
      }
      out.flush();
    }
    return 0;
  }

  static EventView view(Event e) {
    return new EventView(
        e.getSequence(),
        Instant.ofEpochMilli(e.getTimeMs()).toString(),
        e.getKind(),
        e.getSubject(),
        e.getMessage(),
        e.getAttributesMap());
  }
}
