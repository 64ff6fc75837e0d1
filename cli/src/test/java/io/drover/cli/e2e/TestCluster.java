package io.drover.cli.e2e;

import io.drover.testing.FreePorts;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A controller and agents as real processes, seen through the Control API: what the failure and
 * recovery tests need to start them, kill them, and ask what serves.
 */
final class TestCluster implements AutoCloseable {
  static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  /**
   * Writes a catalog of one service, {@code hello} (the example HelloService, one {@code http}
   * port, a 1 s grace period), with the given further fields, one YAML line each.
   */
  static Path helloCatalog(Path dir, String... fields) throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            """
            services:
              - name: hello
                artifact: {path: %s}
                entry: io.drover.examples.hello.HelloService
                ports: [http]
                gracePeriod: 1s
            """
                .formatted(EXAMPLES));
    for (String field : fields) {
      yaml.append("    ").append(field).append('\n');
    }
    Path catalog = dir.resolve("catalog.yaml");
    java.nio.file.Files.writeString(catalog, yaml);
    return catalog;
  }

  private final DroverProcesses drover;
  private final String controllerAddress;
  private final String listen;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private ManagedChannel channel;

  /**
   * @param listen where the controller listens; agents reach it at {@code controllerAddress}
   */
  TestCluster(DroverProcesses drover, String listen, String controllerAddress) {
    this.drover = drover;
    this.listen = listen;
    this.controllerAddress = controllerAddress;
  }

  /** A controller on a free loopback port. */
  static TestCluster onLoopback(DroverProcesses drover) {
    String address = "127.0.0.1:" + FreePorts.find();
    return new TestCluster(drover, address, address);
  }

  /**
   * A controller listening on every interface, so that agents in network namespaces reach it.
   *
   * @return the cluster and the port the controller listens on
   */
  static TestCluster onAllInterfaces(DroverProcesses drover, int port) {
    return new TestCluster(drover, "0.0.0.0:" + port, "127.0.0.1:" + port);
  }

  String controllerAddress() {
    return controllerAddress;
  }

  DroverProcesses.Daemon startController(Path catalog, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "controller",
                "--listen",
                listen,
                "--http-listen",
                "127.0.0.1:0",
                "--data-dir",
                drover.workDir().resolve("controller").toString(),
                "--catalog",
                catalog.toString()));
    args.addAll(List.of(extra));
    return drover.start(args.toArray(String[]::new));
  }

  DroverProcesses.Daemon startAgent(String name, String ports, String... extra) {
    return startAgentUnder(List.of(), controllerAddress, name, ports, extra);
  }

  /** An agent started through {@code prefix} (a network namespace), reaching {@code controller}. */
  DroverProcesses.Daemon startAgentUnder(
      List<String> prefix, String controller, String name, String ports, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--controller",
                controller,
                "--data-dir",
                drover.workDir().resolve(name).toString(),
                "--name",
                name,
                "--http-listen",
                "127.0.0.1:0",
                "--ports",
                ports));
    args.addAll(List.of(extra));
    return drover.startUnder(prefix, args.toArray(String[]::new));
  }

  /** The Control API, with a deadline on each call. */
  ControlGrpc.ControlBlockingStub control() {
    if (channel == null) {
      channel =
          NettyChannelBuilder.forTarget(listen.replace("0.0.0.0", "127.0.0.1"))
              .usePlaintext()
              .build();
    }
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  List<Instance> instances() {
    return control().listInstances(ListInstancesRequest.getDefaultInstance()).getInstancesList();
  }

  List<Instance> ready() {
    return instances().stream()
        .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
        .toList();
  }

  /** The last {@code tail} events, oldest first. */
  List<Event> events(int tail) {
    List<Event> events = new ArrayList<>();
    Iterator<Event> it =
        control().watchEvents(WatchEventsRequest.newBuilder().setTail(tail).build());
    it.forEachRemaining(events::add);
    return events;
  }

  /** Whether the instance answers HTTP on its first port. */
  boolean serves(Instance instance) {
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
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          && response.body().equals("hello from " + instance.getId() + "\n");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
