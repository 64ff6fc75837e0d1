package io.drover.bench;

import io.drover.common.net.HostPort;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.ControllerOptions;
import io.drover.controller.config.ControllerTls;
import io.drover.controller.providers.local.NetworkNamespace;
import io.drover.v1.ContainerInfo;
import io.drover.v1.ContainerState;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.Node;
import io.drover.v1.NodeState;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real controller in this JVM and agents as processes of their own (so that {@code kill -9} of
 * one is real), optionally each in a network namespace whose link can be cut; seen through the
 * Control API. Closing it kills every agent and every container it ever saw, and removes its
 * namespaces.
 */
final class RecoveryCluster implements AutoCloseable {
  /** The flags the local provider gives its agents. */
  private static final List<String> AGENT_JVM_FLAGS =
      List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xss512k");

  static final String SERVICE = "hello";

  /** An agent process; {@code ns} is empty when it shares the host's network. */
  record Agent(
      String name, String ports, Process process, Path log, Optional<NetworkNamespace> ns) {}

  private final Path dir;
  private final Path cliJar;
  private final Controller controller;
  private final String agentsReach;
  private final ManagedChannel channel;
  private final ControlGrpc.ControlBlockingStub control;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofMillis(500))
          .build();

  /** Every agent started and every container seen, to be killed at the end. */
  private final Set<ProcessHandle> processes = ConcurrentHashMap.newKeySet();

  private final Set<ProcessHandle> agents = ConcurrentHashMap.newKeySet();
  private final Instant startedAt = Instant.now();

  private final List<NetworkNamespace> namespaces = new ArrayList<>();
  private int agentsStarted;
  private boolean closed;

  /**
   * @param catalog the catalog's YAML
   * @param allInterfaces listen on 0.0.0.0, so that agents in network namespaces reach the
   *     controller
   */
  RecoveryCluster(
      Path dir,
      Path cliJar,
      String catalog,
      ControllerConfig.Liveness liveness,
      Duration telemetryInterval,
      boolean allInterfaces)
      throws IOException {
    this.dir = dir;
    this.cliJar = cliJar;
    Files.createDirectories(dir);
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(file, catalog);
    controller =
        Controller.start(
            ControllerConfig.defaults(
                    new HostPort(allInterfaces ? "0.0.0.0" : "127.0.0.1", 0),
                    new HostPort("127.0.0.1", 0),
                    dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(file, dir))
                .withLiveness(liveness)
                .withTelemetryInterval(telemetryInterval),
            // Agents in namespaces reach it through their veth; it is a benchmark, not a cluster.
            ControllerOptions.plaintextDev()
                .withTls(
                    allInterfaces
                        ? ControllerTls.plaintextOnAnyAddressForBenchmarks()
                        : ControllerTls.off()));
    agentsReach = "127.0.0.1:" + controller.grpcPort();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
    control = ControlGrpc.newBlockingStub(channel);
  }

  int grpcPort() {
    return controller.grpcPort();
  }

  /**
   * A network namespace on the /30 at {@code 10.212.X.offset}, removed when the cluster closes.
   *
   * @param tag short, unique on this machine
   */
  synchronized NetworkNamespace namespace(String tag, int offset) {
    NetworkNamespace ns =
        NetworkNamespace.create(
            tag, "10.212." + ProcessHandle.current().pid() % 256 + "." + offset);
    namespaces.add(ns);
    return ns;
  }

  /**
   * Starts {@code drover agent} as a process of its own from the packaged CLI jar (as {@code
   * bin/drover} and the local provider do), with a fresh data dir, in {@code ns} when given (it
   * then reaches the controller through the host's side of the link).
   */
  synchronized Agent startAgent(String name, String ports, Optional<NetworkNamespace> ns) {
    int n = ++agentsStarted;
    Path data = dir.resolve(name + "-" + n);
    Path log = dir.resolve(name + "-" + n + ".log");
    String reach = ns.map(s -> s.hostAddress() + ":" + controller.grpcPort()).orElse(agentsReach);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(AGENT_JVM_FLAGS);
    command.addAll(
        List.of(
            "-cp",
            cliJar.toString(),
            "io.drover.cli.DroverCommand",
            "agent",
            "--controller",
            reach,
            "--data-dir",
            data.toString(),
            "--name",
            name,
            "--ports",
            ports,
            "--http-listen",
            "127.0.0.1:0",
            "--tls-mode",
            "off"));
    try {
      Process process =
          new ProcessBuilder(ns.map(s -> s.exec(command)).orElse(command))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      processes.add(process.toHandle());
      agents.add(process.toHandle());
      return new Agent(name, ports, process, log, ns);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start agent " + name, e);
    }
  }

  /** Waits until the agent's node is READY; returns its id. */
  String awaitNode(Agent agent) throws InterruptedException {
    String[] id = new String[1];
    waitFor(
        Duration.ofSeconds(60),
        "agent " + agent.name() + " to join",
        () -> {
          if (!agent.process().isAlive()) {
            throw new IllegalStateException(
                "agent " + agent.name() + " exited: " + tail(agent.log()));
          }
          for (Node node : call().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
            if (node.getAgentPid() == agent.process().pid()
                && node.getState() == NodeState.NODE_STATE_READY) {
              id[0] = node.getId();
              return true;
            }
          }
          return false;
        });
    return id[0];
  }

  ControlGrpc.ControlBlockingStub call() {
    return control.withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  List<Instance> instances() {
    return call()
        .listInstances(ListInstancesRequest.newBuilder().setService(SERVICE).build())
        .getInstancesList();
  }

  /** The node's containers, by node id (node names repeat once a node was replaced). */
  List<ContainerInfo> containers(String nodeId) {
    List<ContainerInfo> containers =
        call()
            .listContainers(ListContainersRequest.newBuilder().setNode(nodeId).build())
            .getContainersList();
    for (ContainerInfo c : containers) {
      ProcessHandle.of(c.getContainer().getPid()).ifPresent(processes::add);
    }
    return containers;
  }

  long idleContainers(String nodeId) {
    return containers(nodeId).stream()
        .filter(c -> c.getContainer().getState() == ContainerState.CONTAINER_STATE_IDLE)
        .count();
  }

  NodeState nodeState(String nodeId) {
    return call().getNode(GetNodeRequest.newBuilder().setNode(nodeId).build()).getState();
  }

  /** The last {@code tail} events, oldest first. */
  List<Event> events(int tail) {
    List<Event> events = new ArrayList<>();
    call()
        .watchEvents(WatchEventsRequest.newBuilder().setTail(tail).build())
        .forEachRemaining(events::add);
    return events;
  }

  /** Whether the instance answers {@code GET /} on its first port with its own greeting. */
  boolean serves(Instance instance) {
    if (instance.getPortsCount() == 0) {
      return false;
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://"
                              + instance.getAddress()
                              + ":"
                              + instance.getPorts(0).getPort()
                              + "/"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          && response.body().strip().equals("hello from " + instance.getId());
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * {@code kill -9} of the agent, then of every container it runs: those the controller lists for
   * its node, the agent's other descendants, and any container JVM it was starting at that moment
   * (which the dead agent can no longer report). The agent goes first, so that it cannot report its
   * containers' deaths.
   *
   * @return the processes killed, the agent first
   */
  List<ProcessHandle> kill(Agent agent, String nodeId) {
    List<ProcessHandle> everything = new ArrayList<>();
    everything.add(agent.process().toHandle());
    agent.process().toHandle().descendants().forEach(everything::add);
    for (ContainerInfo c : containers(nodeId)) {
      ProcessHandle.of(c.getContainer().getPid())
          .filter(p -> !everything.contains(p))
          .ifPresent(everything::add);
    }
    everything.forEach(ProcessHandle::destroyForcibly);
    awaitExit(List.of(agent.process().toHandle()));
    for (ProcessHandle orphan : orphans()) {
      if (!everything.contains(orphan)) {
        orphan.destroyForcibly();
        everything.add(orphan);
      }
    }
    return everything;
  }

  /**
   * Container JVMs started from this cluster's CLI jar since it started whose parent is none of its
   * live agents: those an agent was starting when it was killed.
   */
  private List<ProcessHandle> orphans() {
    Set<Long> live =
        agents.stream()
            .filter(ProcessHandle::isAlive)
            .map(ProcessHandle::pid)
            .collect(java.util.stream.Collectors.toSet());
    String jar = cliJar.toString();
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.contains("-Ddrover.container=") && c.contains(jar))
                    .orElse(false))
        .filter(p -> p.info().startInstant().map(t -> !t.isBefore(startedAt)).orElse(false))
        .filter(p -> p.parent().map(parent -> !live.contains(parent.pid())).orElse(true))
        .toList();
  }

  private static void awaitExit(List<ProcessHandle> processes) {
    for (ProcessHandle p : processes) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("process " + p.pid() + " did not exit: " + e);
      }
    }
  }

  /** The last lines of an agent's log, for error messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Polls {@code condition} every 20 ms; an exception from it (a call that failed) counts as not
   * yet, except {@link IllegalStateException}, which ends the wait.
   */
  static void waitFor(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "waited " + timeout.toSeconds() + " s for " + what + " in vain", last);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Kills every process it started or saw, removes its namespaces; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // What the agents run now, then the agents, then what they were starting as they died.
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle p : List.copyOf(processes)) {
      all.add(p);
      p.descendants().forEach(all::add);
    }
    all.forEach(ProcessHandle::destroyForcibly);
    awaitExit(List.copyOf(agents));
    List<ProcessHandle> orphans = orphans();
    orphans.forEach(ProcessHandle::destroyForcibly);
    all.addAll(orphans);
    awaitExit(all);
    channel.shutdownNow();
    controller.close();
    namespaces.forEach(NetworkNamespace::close);
  }
}
