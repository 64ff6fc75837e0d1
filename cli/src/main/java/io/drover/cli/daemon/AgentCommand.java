package io.drover.cli.daemon;

import ch.qos.logback.classic.Level;
import io.drover.agent.NodeAgent;
import io.drover.agent.config.AgentConfig;
import io.drover.agent.config.AgentSettings;
import io.drover.agent.config.AgentTls;
import io.drover.agent.inventory.LocalPortRange;
import io.drover.cli.Logging;
import io.drover.cli.client.ClientOptions;
import io.drover.common.metrics.MetricsConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code drover agent}: the node agent daemon. Its options come from {@link AgentSettings}. */
@Command(
    mixinStandardHelpOptions = true,
    name = "agent",
    description =
        "Run the node agent: measure this server, connect to the controller, run containers.",
    sortOptions = false)
public final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--exit-with-parent", hidden = true, paramLabel = "PID")
  Long parentPid;

  private ClientOptions outer = new ClientOptions();

  public void outerOptions(ClientOptions outer) {
    this.outer = outer;
  }

  @Override
  public Integer call() throws Exception {
    var settings =
        ConfigOptions.resolve(spec, AgentSettings.ALL_WITH_METRICS, AgentSettings.DEFAULT_FILE);
    if (!ConfigOptions.given(spec, AgentSettings.CONTROLLER) && outer.controllerGiven()) {
      // `drover --controller X agent` means the same as `drover agent --controller X`.
      spec.findOption(AgentSettings.CONTROLLER.flagName()).setValue(outer.controller());
      settings =
          ConfigOptions.resolve(spec, AgentSettings.ALL_WITH_METRICS, AgentSettings.DEFAULT_FILE);
    }
    AgentConfig config = AgentConfig.from(settings, hostname(), LocalPortRange.read());
    Logging.toStderr(Level.INFO);
    NodeAgent agent =
        NodeAgent.start(config, AgentTls.from(settings), MetricsConfig.from(settings));
    // Started by dev mode: when dev is gone, nothing it started may stay behind.
    return Daemon.runUntilStopped(
        agent, Optional.ofNullable(parentPid), agent::closeWithContainers);
  }

  private static String hostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      int dot = name.indexOf('.');
      return dot > 0 ? name.substring(0, dot) : name;
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
