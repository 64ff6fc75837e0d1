package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceStatus;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover scale SERVICE N}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "scale",
    description = "Set how many instances of a service run (within its min and max).")
public final class ScaleCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service.")
  String service;

  @Parameters(index = "1", paramLabel = "N", description = "How many instances.")
  int replicas;

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out) {
    if (replicas < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "N must not be negative");
    }
    ServiceStatus s =
        client
            .unary()
            .scaleService(
                ScaleServiceRequest.newBuilder().setService(service).setReplicas(replicas).build());
    switch (options.output()) {
      case json -> out.println(Json.pretty(ServicesCommand.row(s)));
      case table ->
          out.printf(
              "%s: desired %d (ready %d, starting %d, pending %d)%n",
              s.getName(), s.getDesired(), s.getRunning(), s.getStarting(), s.getPending());
    }
    return 0;
  }
}
