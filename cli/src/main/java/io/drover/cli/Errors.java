package io.drover.cli;

import io.drover.common.config.ConfigException;
import io.drover.common.errors.DroverException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a command into one line on stderr and exit code 1. Stack traces go to the
 * log (with DROVER_DEBUG=1 to stderr as well), never to the user's face.
 */
final class Errors implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    if (e instanceof CommandLine.ParameterException usage) {
      cmd.getErr().println("drover: " + usage.getMessage());
      cmd.getErr().println("Try: drover " + cmd.getCommandName() + " --help");
      return CommandLine.ExitCode.USAGE;
    }
    cmd.getErr().println("drover: " + describe(e));
    if (System.getenv("DROVER_DEBUG") != null) {
      e.printStackTrace(cmd.getErr());
    }
    return CommandLine.ExitCode.SOFTWARE;
  }

  static String describe(Throwable e) {
    if (e instanceof StatusRuntimeException sre) {
      Status status = sre.getStatus();
      String detail = status.getDescription() == null ? "" : status.getDescription();
      return switch (status.getCode()) {
        case NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, RESOURCE_EXHAUSTED ->
            oneLine(detail);
        default -> status.getCode() + ": " + oneLine(detail);
      };
    }
    if (e instanceof ConfigException config) {
      return "bad configuration: " + String.join("; ", config.problems());
    }
    if (e instanceof DroverException || e instanceof UncheckedIOException) {
      return oneLine(e.getMessage());
    }
    return e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage()));
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
