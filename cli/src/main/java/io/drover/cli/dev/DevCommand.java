package io.drover.cli.dev;

import ch.qos.logback.classic.Level;
import io.drover.cli.Logging;
import io.drover.cli.output.Units;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.ControllerOptions;
import io.drover.controller.events.Event;
import io.drover.controller.instances.InstanceState;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.scheduling.ServiceStatusView;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover dev}: a controller in this process and N agents, each its own JVM, on this machine.
 * Prints what runs where and every event; Ctrl-C or SIGTERM stops everything.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "dev",
    description = "Run a controller and N agents on this machine, for development and demos.",
    sortOptions = false)
public final class DevCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  @Option(
      names = "--agents",
      paramLabel = "N",
      defaultValue = "1",
      description = "How many agents to start, each its own process (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where to keep state and logs (default: a temporary dir, deleted on exit).")
  Path dataDir;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7400",
      description = "Controller gRPC address (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--http-listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7480",
      description = "Controller HTTP address (default: ${DEFAULT-VALUE}).")
  String httpListen;

  @Option(
      names = "--agent-http-port",
      paramLabel = "PORT",
      defaultValue = "7481",
      description =
          "HTTP port of the first agent; the next ones count up; 0 picks free ports (default: ${DEFAULT-VALUE}).")
  int agentHttpPort;

  @Option(
      names = "--ports",
      paramLabel = "LOW-HIGH",
      defaultValue = "20000-32000",
      description =
          "Instance ports, split into one disjoint slice per agent (default: ${DEFAULT-VALUE}).")
  String ports;

  @Option(
      names = "--catalog",
      paramLabel = "FILE",
      description =
          "Catalog to deploy (default: examples/catalog.yaml of this Drover; `none` for no"
              + " catalog). A copy in the data dir is used, so `drover apply` changes the copy.")
  String catalog;

  @Option(
      names = "--ready-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long to wait for every node to be READY (default: ${DEFAULT-VALUE}).")
  String readyTimeout;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (agents < 1 || agents > 64) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--agents must be within 1-64, got " + agents);
    }
    HostPort grpcAddress = HostPort.parse(listen);
    HostPort httpAddress = HostPort.parse(httpListen);
    PortRange[] slices = PortRange.parse(ports).split(agents);
    Duration timeout = io.drover.common.config.Durations.parse(readyTimeout);
    boolean temporary = dataDir == null;
    Path root = temporary ? Files.createTempDirectory("drover-dev-") : dataDir.toAbsolutePath();
    Files.createDirectories(root);
    Logging.toFile(root.resolve("controller.log"), Level.INFO);

    Optional<Path> catalogFile = catalogFile();
    ControllerConfig config =
        ControllerConfig.defaults(grpcAddress, httpAddress, root.resolve("controller"));
    if (catalogFile.isPresent()) {
      Path copy = root.resolve("catalog.yaml");
      Files.copy(catalogFile.get(), copy, StandardCopyOption.REPLACE_EXISTING);
      config =
          config.withCatalog(
              ControllerConfig.CatalogLocation.file(
                  copy, catalogFile.get().toAbsolutePath().getParent()));
    }
    Controller controller;
    try {
      // Plaintext without access control is refused unless the listen address is loopback
      // (ControllerTls.check).
      controller = Controller.start(config, ControllerOptions.plaintextDev());
    } catch (RuntimeException e) {
      if (temporary) {
        deleteTree(root);
      }
      throw e;
    }
    HostPort controllerAddress = grpcAddress.withPort(controller.grpcPort()).forLocalClient();
    List<AgentProcess> started = new ArrayList<>();
    CountDownLatch stop = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Thread shutdown =
        new Thread(
            () -> {
              stopping.set(true);
              stopEverything(controller, started, root, temporary);
              stop.countDown();
            },
            "drover-dev-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);

    out.printf(
        "Drover dev: a controller and %d agent%s on this machine.%n",
        agents, agents == 1 ? "" : "s");
    out.printf(
        "  controller  gRPC %s  HTTP http://%s/healthz  log %s%n",
        controllerAddress,
        httpAddress.withPort(controller.httpPort()).forLocalClient(),
        root.resolve("controller.log"));
    out.printf(
        "  dashboard   http://%s/  (in a terminal: drover top)%n",
        httpAddress.withPort(controller.httpPort()).forLocalClient());
    out.printf(
        "  security    PLAINTEXT on loopback, no TLS and no access control: anyone on this"
            + " machine may change the cluster (a real cluster: docs/SECURITY.md, docs/ACCESS.md)%n");
    out.printf("  data dir    %s%s%n", root, temporary ? " (deleted on exit)" : "");
    out.printf(
        "  catalog     %s%n",
        catalogFile.map(f -> f + " (a copy: " + root.resolve("catalog.yaml") + ")").orElse("none"));
    for (int i = 0; i < agents; i++) {
      String name = "dev-" + (i + 1);
      int httpPort = agentHttpPort == 0 ? 0 : agentHttpPort + i;
      AgentProcess agent =
          AgentProcess.start(
              name,
              controllerAddress,
              root.resolve("agent-" + (i + 1)),
              slices[i],
              new HostPort("127.0.0.1", httpPort));
      started.add(agent);
      out.printf(
          "  agent %-5s pid %d  ports %s  HTTP %s  log %s%n",
          name,
          agent.pid(),
          slices[i],
          httpPort == 0 ? "(free port)" : "127.0.0.1:" + httpPort,
          agent.log());
    }
    out.println();
    // Events are published from gRPC handlers; a slow terminal must not hold them up.
    ExecutorService printer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "drover-dev-events");
              t.setDaemon(true);
              return t;
            });
    controller.events().subscribe(0, 100, true, event -> printer.execute(() -> print(event)));

    long startedAt = System.nanoTime();
    long deadline = startedAt + timeout.toNanos();
    while (readyCount(controller) < agents && !stopping.get()) {
      for (AgentProcess agent : started) {
        if (!agent.isAlive()) {
          System.err.printf(
              "drover: agent %s exited with code %d before its node was READY; the end of %s:%n%s%n",
              agent.name(), agent.exitValue(), agent.log(), agent.logTail(15));
          return 1;
        }
      }
      if (System.nanoTime() > deadline) {
        System.err.printf(
            "drover: only %d of %d nodes READY after %s; see the agent logs under %s%n",
            readyCount(controller), agents, readyTimeout, root);
        return 1;
      }
      stop.await(50, TimeUnit.MILLISECONDS);
    }
    if (!stopping.get()) {
      out.println();
      out.printf(
          "Ready: %d node%s READY in %.1f s.%n",
          agents, agents == 1 ? "" : "s", (System.nanoTime() - startedAt) / 1e9);
      for (Node node : controller.nodes().list()) {
        out.printf(
            "  %s  %s  %d cores, %s%n",
            node.name(),
            node.address(),
            node.inventory().logicalCores(),
            Units.bytes(node.inventory().memoryBytes()));
      }
      printServices(controller, deadline, stop);
      out.printf(
          "Try `bin/drover nodes`, `bin/drover instances` or `bin/drover events --follow` in"
              + " another shell%s. Ctrl-C stops everything.%n%n",
          controllerAddress.port() == 7400 ? "" : " with --controller " + controllerAddress);
    }
    stop.await();
    return 0;
  }

  /** Waits until every service has its desired instances READY, then prints their URLs. */
  private void printServices(Controller controller, long deadline, CountDownLatch stop)
      throws Exception {
    while (System.nanoTime() < deadline) {
      List<ServiceStatusView> services = controller.scheduler().services().get(5, TimeUnit.SECONDS);
      if (services.stream().allMatch(s -> s.ready() >= s.desired())) {
        break;
      }
      if (stop.await(100, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
    List<ServiceStatusView> services = controller.scheduler().services().get(5, TimeUnit.SECONDS);
    if (services.isEmpty()) {
      return;
    }
    out.println("Services:");
    for (InstanceView instance :
        controller.scheduler().instances("", "").get(5, TimeUnit.SECONDS)) {
      if (instance.state() == InstanceState.READY && instance.ports().containsKey("http")) {
        String address =
            controller.nodes().get(instance.nodeId()).map(Node::address).orElse("127.0.0.1");
        out.printf("  %-14s http://%s:%d/%n", instance.id(), address, instance.ports().get("http"));
      }
    }
    for (ServiceStatusView s : services) {
      if (s.ready() < s.desired()) {
        out.printf(
            "  %s: %d of %d ready; see bin/drover instances and bin/drover events%n",
            s.name(), s.ready(), s.desired());
      }
    }
  }

  private Optional<Path> catalogFile() {
    if ("none".equals(catalog)) {
      return Optional.empty();
    }
    if (catalog != null) {
      Path given = Path.of(catalog);
      if (!Files.isRegularFile(given)) {
        throw new picocli.CommandLine.ParameterException(
            new picocli.CommandLine(this), "--catalog " + catalog + ": file not found");
      }
      return Optional.of(given.toAbsolutePath());
    }
    String home = System.getProperty("drover.home");
    if (home != null) {
      Path example = Path.of(home, "examples", "catalog.yaml");
      if (Files.isRegularFile(example)) {
        return Optional.of(example);
      }
    }
    return Optional.empty();
  }

  private static long readyCount(Controller controller) {
    return controller.nodes().list().stream().filter(n -> n.state() == NodeState.READY).count();
  }

  private void print(Event event) {
    out.printf(
        "%s  %-22s %-14s %s%n",
        TIME.format(event.time()), event.kind(), event.subject(), event.message());
  }

  private void stopEverything(
      Controller controller, List<AgentProcess> agents, Path root, boolean temporary) {
    out.println();
    out.println("Stopping: agents first, then the controller...");
    List<ProcessHandle> processes = new ArrayList<>();
    agents.forEach(a -> processes.addAll(a.tree()));
    AgentProcess.stopAll(processes, Duration.ofSeconds(10));
    controller.close();
    long left = processes.stream().filter(ProcessHandle::isAlive).count();
    if (temporary) {
      deleteTree(root);
    }
    out.printf(
        "Stopped %d process%s; %s.%n",
        processes.size(),
        processes.size() == 1 ? "" : "es",
        left == 0 ? "none left running" : left + " still running");
    out.flush();
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("drover: could not delete " + root + ": " + e.getMessage());
    }
  }
}
