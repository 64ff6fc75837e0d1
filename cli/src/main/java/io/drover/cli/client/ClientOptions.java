package io.drover.cli.client;

import io.drover.cli.output.OutputFormat;
import picocli.CommandLine.Option;

/**
 * The options every client verb takes. They are also accepted before the verb ({@code drover
 * --output json nodes}); a value given after the verb wins.
 */
public final class ClientOptions {
  @Option(
      names = "--controller",
      paramLabel = "HOST:PORT",
      description = "Controller gRPC address (default: $DROVER_CONTROLLER or 127.0.0.1:7400).")
  String controller;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table or json (default: table).")
  OutputFormat output;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Deadline of each call, such as 10s (default: 10s).")
  String timeout;

  /** This verb's options, falling back to the ones given before the verb. */
  public ClientOptions orElse(ClientOptions outer) {
    ClientOptions merged = new ClientOptions();
    merged.controller = controller != null ? controller : outer.controller;
    merged.output = output != null ? output : outer.output;
    merged.timeout = timeout != null ? timeout : outer.timeout;
    return merged;
  }

  public boolean controllerGiven() {
    return controller != null;
  }

  public String controller() {
    if (controller != null) {
      return controller;
    }
    String env = System.getenv("DROVER_CONTROLLER");
    return env != null && !env.isBlank() ? env : "127.0.0.1:7400";
  }

  public OutputFormat output() {
    return output != null ? output : OutputFormat.table;
  }

  public String timeout() {
    return timeout != null ? timeout : "10s";
  }
}
