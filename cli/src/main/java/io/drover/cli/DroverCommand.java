package io.drover.cli;

import io.drover.agent.config.AgentSettings;
import io.drover.cli.client.ApplyCommand;
import io.drover.cli.client.ArtifactCommand;
import io.drover.cli.client.ClientCommand;
import io.drover.cli.client.ClientOptions;
import io.drover.cli.client.ContainersCommand;
import io.drover.cli.client.CordonCommand;
import io.drover.cli.client.DrainCommand;
import io.drover.cli.client.EndpointsCommand;
import io.drover.cli.client.EventsCommand;
import io.drover.cli.client.InstancesCommand;
import io.drover.cli.client.LogsCommand;
import io.drover.cli.client.NodeCommand;
import io.drover.cli.client.NodesCommand;
import io.drover.cli.client.ScaleCommand;
import io.drover.cli.client.ServicesCommand;
import io.drover.cli.client.TopCommand;
import io.drover.cli.daemon.AgentCommand;
import io.drover.cli.daemon.ConfigOptions;
import io.drover.cli.daemon.ControllerCommand;
import io.drover.cli.dev.DevCommand;
import io.drover.cli.security.NodeRemoveCommand;
import io.drover.cli.security.TlsCommand;
import io.drover.cli.security.TokenCommand;
import io.drover.common.Version;
import io.drover.controller.config.ControllerSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code drover}: dev mode, the controller and agent daemons, and the client verbs. Exit 0 on
 * success, 1 on an error (with a one-line reason on stderr), 2 on bad usage.
 */
@Command(
    name = "drover",
    mixinStandardHelpOptions = true,
    versionProvider = DroverCommand.VersionProvider.class,
    description = "Runs JVM microservices across a fleet of servers.",
    synopsisSubcommandLabel = "COMMAND")
public final class DroverCommand implements Runnable {
  @Mixin ClientOptions options;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "name a command; see drover --help");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs one command line and returns its exit code; never exits the JVM itself. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    DroverCommand top = new DroverCommand();
    CommandLine cli = new CommandLine(top);

    ControllerCommand controller = new ControllerCommand();
    CommandLine controllerLine = new CommandLine(controller);
    ConfigOptions.addTo(
        controllerLine.getCommandSpec(),
        ControllerSettings.ALL_WITH_METRICS,
        ControllerSettings.DEFAULT_FILE);
    cli.addSubcommand(controllerLine);

    AgentCommand agent = new AgentCommand();
    agent.outerOptions(top.options);
    CommandLine agentLine = new CommandLine(agent);
    ConfigOptions.addTo(
        agentLine.getCommandSpec(), AgentSettings.ALL_WITH_METRICS, AgentSettings.DEFAULT_FILE);
    cli.addSubcommand(agentLine);

    cli.addSubcommand(new DevCommand());
    for (ClientCommand verb :
        new ClientCommand[] {
          new NodesCommand(),
          new NodeCommand(),
          new ServicesCommand(),
          new InstancesCommand(),
          new ContainersCommand(),
          new ApplyCommand(),
          new ScaleCommand(),
          new CordonCommand.Cordon(),
          new CordonCommand.Uncordon(),
          new DrainCommand(),
          new EventsCommand(),
          new LogsCommand(),
          new EndpointsCommand(),
          new TopCommand()
        }) {
      verb.outerOptions(top.options);
      cli.addSubcommand(verb);
    }
    CommandLine artifact = new CommandLine(new ArtifactCommand());
    artifact
        .getSubcommands()
        .values()
        .forEach(sub -> ((ClientCommand) sub.getCommand()).outerOptions(top.options));
    cli.addSubcommand(artifact);
    cli.addSubcommand(new TlsCommand());
    CommandLine token = new CommandLine(new TokenCommand());
    token
        .getSubcommands()
        .values()
        .forEach(sub -> ((ClientCommand) sub.getCommand()).outerOptions(top.options));
    cli.addSubcommand(token);
    NodeRemoveCommand nodeRemove = new NodeRemoveCommand();
    nodeRemove.outerOptions(top.options);
    cli.getSubcommands().get("node").addSubcommand(nodeRemove);
    cli.setExecutionExceptionHandler(new Errors());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  /** The build's version, from the jar manifest. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"drover " + Version.current(), "Java " + Runtime.version()};
    }
  }
}
