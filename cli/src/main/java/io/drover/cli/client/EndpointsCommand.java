package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.OutputFormat;
import io.drover.cli.output.Table;
import io.drover.discovery.EndpointWatch;
import io.drover.v1.Endpoint;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ServiceEndpoints;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drover endpoints SERVICE [--watch]}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "endpoints",
    description = "Show the READY endpoints of a service (the instances that may receive traffic).")
public final class EndpointsCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service's catalog name.")
  String service;

  @Option(
      names = {"-w", "--watch"},
      description =
          "Print the whole set again after every change until interrupted; with --output json,"
              + " one JSON object per line. Survives a controller restart.")
  boolean watch;

  /** One endpoint of `drover endpoints --output json`. */
  public record EndpointRow(
      String instance,
      String node,
      String address,
      int port,
      List<PortRow> ports,
      String zone,
      Map<String, String> labels) {}

  public record PortRow(String name, int port) {}

  /** `drover endpoints --output json`: one object per set. */
  public record EndpointsView(
      String service,
      boolean inCatalog,
      long version,
      String changedAt,
      List<EndpointRow> endpoints) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out)
      throws InterruptedException {
    if (!watch) {
      ServiceEndpoints set =
          client
              .unary()
              .listEndpoints(ListEndpointsRequest.newBuilder().setService(service).build());
      print(set, options.output(), out, false);
      return 0;
    }
    BlockingQueue<ServiceEndpoints> sets = new LinkedBlockingQueue<>();
    ScheduledExecutorService retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-endpoints-watch");
              t.setDaemon(true);
              return t;
            });
    try (EndpointWatch ignored =
        EndpointWatch.start(client.channel(), service, retries, sets::add)) {
      while (true) {
        print(sets.take(), options.output(), out, true);
      }
    } finally {
      retries.shutdownNow();
    }
  }

  private static void print(
      ServiceEndpoints set, OutputFormat format, PrintStream out, boolean watching) {
    if (format == OutputFormat.json) {
      out.println(watching ? Json.line(view(set)) : Json.pretty(view(set)));
      out.flush();
      return;
    }
    if (watching) {
      out.printf(
          "%s  %s: %d endpoint(s), version %d%n",
          Instant.ofEpochMilli(set.getChangedAtMs()),
          set.getService(),
          set.getEndpointsCount(),
          set.getVersion());
    }
    if (!set.getInCatalog()) {
      out.println("Service " + set.getService() + " is not in the catalog (yet).");
    } else if (set.getEndpointsCount() == 0) {
      out.println("No READY instance of " + set.getService() + ".");
    } else {
      Table table = new Table("INSTANCE", "NODE", "ADDRESS", "PORTS");
      for (Endpoint e : set.getEndpointsList()) {
        table.row(
            e.getInstanceId(),
            e.getNodeName(),
            e.getAddress(),
            e.getPortsMap().entrySet().stream()
                .map(p -> p.getKey() + "=" + p.getValue())
                .collect(Collectors.joining(",")));
      }
      table.print(out);
    }
    out.flush();
  }

  static EndpointsView view(ServiceEndpoints set) {
    return new EndpointsView(
        set.getService(),
        set.getInCatalog(),
        set.getVersion(),
        Instant.ofEpochMilli(set.getChangedAtMs()).toString(),
        set.getEndpointsList().stream()
            .map(
                e ->
                    new EndpointRow(
                        e.getInstanceId(),
                        e.getNodeName(),
                        e.getAddress(),
                        e.getPort(),
                        e.getPortsMap().entrySet().stream()
                            .map(p -> new PortRow(p.getKey(), p.getValue()))
                            .toList(),
                        e.getZone(),
                        e.getLabelsMap()))
            .toList());
  }
}
