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

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "API token for the controller (default: $DROVER_TOKEN, else --token-file).")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the API token, such as the controller's admin.token (default:"
              + " $DROVER_TOKEN_FILE).")
  String tokenFile;

  /** This verb's options, falling back to the ones given before the verb. */
  public ClientOptions orElse(ClientOptions outer) {
    ClientOptions merged = new ClientOptions();
    merged.controller = controller != null ? controller : outer.controller;
    merged.output = output != null ? output : outer.output;
    merged.timeout = timeout != null ? timeout : outer.timeout;
    merged.ca = ca != null ? ca : outer.ca;
    merged.cert = cert != null ? cert : outer.cert;
    merged.key = key != null ? key : outer.key;
    merged.token = token != null ? token : outer.token;
    merged.tokenFile = tokenFile != null ? tokenFile : outer.tokenFile;
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

  /**
   * The API token to send: {@code --token}, {@code DROVER_TOKEN}, then the first line of {@code
   * --token-file} or {@code DROVER_TOKEN_FILE}; empty for none.
   */
  public java.util.Optional<String> token() {
    if (token != null && !token.isBlank()) {
      return java.util.Optional.of(token.trim());
    }
    String env = System.getenv("DROVER_TOKEN");
    if (env != null && !env.isBlank()) {
      return java.util.Optional.of(env.trim());
    }
    String file = tokenFile != null ? tokenFile : System.getenv("DROVER_TOKEN_FILE");
    if (file == null || file.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      String text = java.nio.file.Files.readString(java.nio.file.Path.of(file)).trim();
      return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(text);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e);
    }
  }

  public OutputFormat output() {
    return output != null ? output : OutputFormat.table;
  }

  public String timeout() {
    return timeout != null ? timeout : "10s";
  }
}
