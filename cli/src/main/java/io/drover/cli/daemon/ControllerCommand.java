package io.drover.cli.daemon;

import ch.qos.logback.classic.Level;
import io.drover.cli.Logging;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.ControllerOptions;
import io.drover.controller.config.ControllerSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code drover controller}: the controller daemon. Its options come from {@link
 * ControllerSettings}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "controller",
    description = "Run the controller: the gRPC API for agents and clients, and /healthz.",
    sortOptions = false)
public final class ControllerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var settings =
        ConfigOptions.resolve(
            spec,
            ControllerSettings.ALL_WITH_METRICS,
            ControllerSettings.DEFAULT_FILE,
            List.of(ControllerSettings.PROVIDER_SETTINGS));
    ControllerConfig config = ControllerConfig.from(settings);
    Logging.toStderr(Level.INFO);
    Controller controller = Controller.start(config, ControllerOptions.from(settings));
    return Daemon.runUntilStopped(controller, Optional.empty());
  }
}
