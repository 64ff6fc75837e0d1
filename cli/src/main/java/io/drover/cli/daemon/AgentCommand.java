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

  /**
   * Netty defaults that suit a server moving a lot of data, set unless given with {@code -D}: the
   * agent sends a telemetry message a second. Unpooled buffers instead of gRPC's pooled arenas
   * (which commit a 4 MiB chunk per arena in use), and no JFR events for buffer allocations
   * (registering them loads a hundred classes of {@code jdk.jfr}). Before any Netty class loads.
   */
  static void smallNetty() {
    setIfAbsent("io.grpc.netty.useCustomAllocator", "false");
    setIfAbsent("io.grpc.netty.shaded.io.netty.allocator.type", "unpooled");
    setIfAbsent("io.grpc.netty.shaded.io.netty.jfr.enabled", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  @Override
  public Integer call() throws Exception {
    smallNetty();
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
