package io.drover.cli.client;

import io.drover.cli.output.Json;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ApplyCatalogResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code drover apply FILE}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "apply",
    description =
        "Validate a catalog and write it to the controller's catalog source (file or database).")
public final class ApplyCommand extends ClientCommand {
  @Parameters(paramLabel = "FILE", description = "The catalog, as YAML.")
  Path file;

  /** `drover apply --output json`. */
  public record Applied(String file, int services, String source) {}

  @Override
  protected int run(ControlClient client, ClientOptions options, PrintStream out)
      throws IOException {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), file + ": file not found");
    }
    ApplyCatalogResponse response =
        client
            .unary()
            .applyCatalog(
                ApplyCatalogRequest.newBuilder()
                    .setYaml(yaml)
                    .setSourceName(file.toString())
                    .build());
    switch (options.output()) {
      case json ->
          out.println(
              Json.pretty(
                  new Applied(file.toString(), response.getServices(), response.getSource())));
      case table ->
          out.printf(
              "applied %s: %d service%s, written to %s%n",
              file,
              response.getServices(),
              response.getServices() == 1 ? "" : "s",
              response.getSource());
    }
    return 0;
  }
}
