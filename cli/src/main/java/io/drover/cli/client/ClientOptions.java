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

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "Cluster CA certificate (ca.crt of drover tls init): connect with TLS and trust only"
              + " it (default: $DROVER_CA; without it, plaintext).")
  String ca;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description = "Client certificate to present, such as admin.crt (default: $DROVER_CERT).")
  String cert;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description = "Private key of --cert, such as admin.key (default: $DROVER_KEY).")
  String key;

  /** This verb's options, falling back to the ones given before the verb. */
  public ClientOptions orElse(ClientOptions outer) {
    ClientOptions merged = new ClientOptions();
    merged.controller = controller != null ? controller : outer.controller;
    merged.output = output != null ? output : outer.output;
    merged.timeout = timeout != null ? timeout : outer.timeout;
    merged.ca = ca != null ? ca : outer.ca;
    merged.cert = cert != null ? cert : outer.cert;
    merged.key = key != null ? key : outer.key;
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

  /** The CA to trust; empty for a plaintext connection (a dev-mode controller on loopback). */
  public java.util.Optional<java.nio.file.Path> ca() {
    return fileOrEnv(ca, "DROVER_CA");
  }

  /** The client certificate to present, with {@link #key()}. */
  public java.util.Optional<java.nio.file.Path> cert() {
    return fileOrEnv(cert, "DROVER_CERT");
  }

  public java.util.Optional<java.nio.file.Path> key() {
    return fileOrEnv(key, "DROVER_KEY");
  }

  private static java.util.Optional<java.nio.file.Path> fileOrEnv(String given, String env) {
    String value = given != null ? given : System.getenv(env);
    return value == null || value.isBlank()
        ? java.util.Optional.empty()
        : java.util.Optional.of(java.nio.file.Path.of(value));
  }

  public OutputFormat output() {
    return output != null ? output : OutputFormat.table;
  }

  public String timeout() {
    return timeout != null ? timeout : "10s";
  }
}
