package io.drover.cli.client;

import io.drover.common.errors.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A verb that talks to the controller's Control API and prints what it gets. */
public abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions options;
  @Spec CommandSpec spec;

  /** The options given before the verb; set when the command line is assembled. */
  private ClientOptions outer = new ClientOptions();

  public void outerOptions(ClientOptions outer) {
    this.outer = outer;
  }

  @Override
  public final Integer call() throws Exception {
    ClientOptions effective = options.orElse(outer);
    try (ControlClient client = new ControlClient(effective, spec.commandLine())) {
      return run(client, effective, System.out);
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        throw new UnavailableException(
            (code == Status.Code.UNAVAILABLE
                    ? "cannot reach the controller at "
                    : "no answer in time from the controller at ")
                + effective.controller()
                + " ("
                + reason(e)
                + ")",
            e);
      }
      throw e;
    }
  }

  /** The innermost cause says most: "Connection refused" rather than "io exception". */
  private static String reason(StatusRuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root == e ? e.getStatus().getDescription() : root.getMessage();
    return message == null ? e.getStatus().getCode().toString() : message;
  }

  /** This command's picocli spec, for usage errors. */
  protected CommandSpec spec() {
    return spec;
  }

  protected abstract int run(ControlClient client, ClientOptions options, PrintStream out)
      throws Exception;
}
