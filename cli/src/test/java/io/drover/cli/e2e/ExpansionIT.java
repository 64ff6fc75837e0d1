package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceStatus;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expansion order past the warm pool: a new container on a node with room, then a new server
 * from the provider; and the release of a server that has run nothing for its TTL.
 */
class ExpansionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private DroverProcesses drover;
  private String controller;

  @Test
  void withNoIdleContainerANewContainerStartsOnANodeWithRoom() throws Exception {
    start("standalone");
    drover.start(
        "agent",
        "--controller",
        controller,
        "--data-dir",
        dir.resolve("agent").toString(),
        "--name",
        "node-1",
        "--http-listen",
        "127.0.0.1:0",
        "--ports",
        "20000-20999");
    apply(1000, 1, 0);
    JsonNode ready = awaitReady(1);
    assertThat(ready.get(0).get("nodeName").asText()).isEqualTo("node-1");
    assertThat(messages("INSTANCE_PENDING")).anyMatch(m -> m.contains("starting a container"));

    // An operator's count outside the service's min and max (1-8) is refused, by the Control API
    // and so by the CLI, and the desired count stays where it was.
    var refused = drover.run("scale", "hello", "9", "--controller", controller);
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(1);
    assertThat(refused.stdout()).isEmpty();
    assertThat(refused.stderr().strip())
        .isEqualTo("drover: replicas: 9 is outside 1-8 (min-max of hello)");
    ManagedChannel channel = NettyChannelBuilder.forTarget(controller).usePlaintext().build();
    try {
      ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel);
      for (int outside : new int[] {9, 0}) {
        assertThatThrownBy(
                () ->
                    control
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .scaleService(
                            ScaleServiceRequest.newBuilder()
                                .setService("hello")
                                .setReplicas(outside)
                                .build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo("replicas: " + outside + " is outside 1-8 (min-max of hello)");
                });
      }
      assertThat(
              control
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .listServices(ListServicesRequest.getDefaultInstance())
                  .getServicesList())
          .singleElement()
          .extracting(ServiceStatus::getDesired)
          .isEqualTo(1);
      List<String> kinds = new ArrayList<>();
      control
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .watchEvents(WatchEventsRequest.newBuilder().setTail(1000).build())
          .forEachRemaining(e -> kinds.add(e.getKind()));
      assertThat(kinds).contains("INSTANCE_PENDING").doesNotContain("SERVICE_SCALED");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void whenTheNodesAreFullTheLocalProviderAddsAnAgentAndAnIdleOneIsReleased() throws Exception {
    start("local");
    // Each instance asks for a whole core: a 2-core server takes two.
    int cores = Runtime.getRuntime().availableProcessors();
    apply(1000, cores + 1, 0);
    // While the second server boots, the instance that local-1 has no room for is PENDING and
    // names the server it waits for; once that server joins, it runs there.
    String waiting;
    ManagedChannel channel = NettyChannelBuilder.forTarget(controller).usePlaintext().build();
    try {
      ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel);
      waiting =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      control
                          .withDeadlineAfter(5, TimeUnit.SECONDS)
                          .listInstances(ListInstancesRequest.getDefaultInstance())
                          .getInstancesList()
                          .stream()
                          .filter(
                              i ->
                                  i.getState() == InstanceState.INSTANCE_STATE_PENDING
                                      && i.getReason()
                                          .equals(
                                              "no node has room; waiting for server local-2 to"
                                                  + " join"))
                          .map(Instance::getId)
                          .findFirst(),
                  Optional::isPresent)
              .get();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    JsonNode ready = awaitReady(cores + 1);
    assertThat(
            StreamSupport.stream(ready.spliterator(), false)
                .filter(i -> i.get("id").asText().equals(waiting))
                .map(i -> i.get("nodeName").asText()))
        .containsExactly("local-2");
    assertThat(
            StreamSupport.stream(ready.spliterator(), false)
                .map(i -> i.get("nodeName").asText())
                .distinct())
        .containsExactlyInAnyOrder("local-1", "local-2");
    assertThat(messages("SERVER_PROVISIONING")).hasSize(2);
    assertThat(messages("SERVER_JOINED")).hasSize(2);

    // Scaling down empties the emptier server; after its idle TTL it is released.
    var scaled = drover.run("scale", "hello", Integer.toString(cores), "--controller", controller);
    assertThat(scaled.exitCode()).as(scaled.stderr()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> messages("SERVER_RELEASED"), released -> released.size() == 1);
    assertThat(messages("SERVER_RELEASED").get(0)).contains("local-2").contains("ran nothing");
    // A released server's node leaves the node list; it is not declared lost.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> json("nodes").findValuesAsText("name"), names -> !names.contains("local-2"));
    assertThat(messages("NODE_REMOVED")).anyMatch(m -> m.contains("local-2"));
    assertThat(messages("NODE_LOST")).noneMatch(m -> m.contains("local-2"));
    assertThat(StreamSupport.stream(awaitReady(cores).spliterator(), false))
        .filteredOn(i -> i.get("state").asText().equals("READY"))
        .allMatch(i -> i.get("nodeName").asText().equals("local-1"));
  }

  private void start(String provider) throws IOException {
    drover = new DroverProcesses(dir, cleanup);
    controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, "services: []\n");
    drover.start(
        "controller",
        "--listen",
        controller,
        "--http-listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.resolve("controller").toString(),
        "--catalog",
        catalog.toString(),
        "--provider-kind",
        provider,
        "--provider-idle-server-ttl",
        "5s",
        "--set",
        "provider.local.maxServers=2",
        "--set",
        "provider.local.ports=20000-21999");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> drover.run("nodes", "--controller", controller).exitCode() == 0);
  }

  private void apply(int cpuMillis, int replicas, int warmPool) throws IOException {
    Path file = dir.resolve("apply-" + System.nanoTime() + ".yaml");
    Files.writeString(
        file,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            resources: {memoryMb: 128, cpuMillis: %d}
            replicas: {min: 1, max: 8, initial: %d}
            ports: [http]
            warmPool: %d
            gracePeriod: 1s
        """
            .formatted(EXAMPLES, cpuMillis, replicas, warmPool));
    var result = drover.run("apply", file.toString(), "--controller", controller);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
  }

  private JsonNode awaitReady(int count) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> json("instances"),
            all ->
                StreamSupport.stream(all.spliterator(), false)
                            .filter(i -> i.get("state").asText().equals("READY"))
                            .count()
                        == count
                    && StreamSupport.stream(all.spliterator(), false)
                        .noneMatch(
                            i ->
                                List.of("PENDING", "STARTING", "DRAINING", "STOPPING")
                                    .contains(i.get("state").asText())));
  }

  private List<String> messages(String kind) throws IOException {
    var result = drover.run("events", "--tail", "1000", "--controller", controller, "-o", "json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    return StreamSupport.stream(JSON.readTree(result.stdout()).spliterator(), false)
        .filter(e -> e.get("kind").asText().equals(kind))
        .map(e -> e.get("message").asText())
        .toList();
  }

  private JsonNode json(String verb) throws IOException {
    var result = drover.run(verb, "--controller", controller, "--output", "json");
    assertThat(result.exitCode()).as(verb + ": " + result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }
}
