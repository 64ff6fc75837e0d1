package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.cli.output.Table;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ServiceStatus;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code drover services}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "services",
    description = "List the services of the catalog in force, with their instance counts.")
public final class ServicesCommand extends ClientCommand {

  /** One row of `drover services --output json`. */
  public record ServiceRow(
      String name,
      int desired,
      int running,
      int min,
      int max,
      int starting,
      int pending,
      int failed,
      String mode,
      String profile,
      String entry) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    List<ServiceStatus> services =
        client.unary().listServices(ListServicesRequest.getDefaultInstance()).getServicesList();
    switch (options.output()) {
      case json -> out.println(Json.pretty(services.stream().map(ServicesCommand::row).toList()));
      case table -> {
        if (services.isEmpty()) {
          out.println("No services. Apply a catalog: drover apply FILE");
          return 0;
        }
        Table table =
            new Table(
                "NAME",
                "DESIRED",
                "READY",
                "STARTING",
                "PENDING",
                "FAILED",
                "MIN",
                "MAX",
                "MODE",
                "ENTRY");
        for (ServiceStatus s : services) {
          table.row(
              s.getName(),
              s.getDesired(),
              s.getRunning(),
              s.getStarting(),
              s.getPending(),
              s.getFailed(),
              s.getMin(),
              s.getMax(),
              s.getMode(),
              s.getEntry());
        }
        table.print(out);
      }
    }
    return 0;
  }

  static ServiceRow row(ServiceStatus s) {
    return new ServiceRow(
        s.getName(),
        s.getDesired(),
        s.getRunning(),
        s.getMin(),
        s.getMax(),
        s.getStarting(),
        s.getPending(),
        s.getFailed(),
        s.getMode(),
        s.getProfile(),
        s.getEntry());
  }
}
