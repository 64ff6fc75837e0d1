package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Draining a node moves its instances make-before-break: the service never drops below min. */
class DrainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  /**
   * The drain starts while node-1 is the only node: it has nowhere to go, so it waits and says why.
   * Then node-2 joins and the drain moves the three instances there, one at a time ({@code
   * --max-parallel 1}). Afterwards cordon and uncordon, through the CLI, decide where a fourth
   * instance may go. {@code drover events --follow} watches it all as it happens.
   */
  @Test
  void aDrainedNodeEndsEmptyAndTheServiceNeverHasFewerThanItsMinimumReady() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: %s}
            entry: io.drover.examples.hello.HelloService
            replicas: {min: 3, max: 6, initial: 3}
            ports: [http]
            warmPool: 1
            gracePeriod: 1s
        """
            .formatted(EXAMPLES));
    drover.start(
        "controller",
        "--listen",
        controller,
        "--http-listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.resolve("controller").toString(),
        "--catalog",
        catalog.toString());
    agent(drover, controller, "node-1", "20000-20999");
    ManagedChannel channel = NettyChannelBuilder.forTarget(controller).usePlaintext().build();
    try {
      ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel);
      // All three start on node-1, the only node.
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> ready(control).size() == 3);
      // One past event first: once that is printed, the follower is subscribed, and everything
      // after it comes live.
      DroverProcesses.Daemon follower =
          drover.start(
              "events", "--follow", "--tail", "1", "--output", "json", "--controller", controller);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> follower.output().lines().anyMatch(line -> line.startsWith("{")));

      AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
      AtomicInteger mostInFlight = new AtomicInteger();
      AtomicInteger samples = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      CompletableFuture<Void> sampler =
          CompletableFuture.runAsync(
              () -> {
                while (sampling.get()) {
                  List<Instance> all = instances(control);
                  fewest.accumulateAndGet(
                      count(all, InstanceState.INSTANCE_STATE_READY), Math::min);
                  // A migration is in flight while its replacement is not ready yet.
                  mostInFlight.accumulateAndGet(
                      count(all, InstanceState.INSTANCE_STATE_PENDING)
                          + count(all, InstanceState.INSTANCE_STATE_STARTING),
                      Math::max);
                  samples.incrementAndGet();
                }
              });

      DroverProcesses.Daemon drain =
          drover.start(
              "drain", "node-1", "--wait", "--max-parallel", "1", "--controller", controller);
      // No other node: the first replacement has nowhere to go, and the drain says so.
      String waits =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      followed(follower, "NODE_DRAINING").stream()
                          .filter(m -> m.contains(" waits: "))
                          .findFirst(),
                  Optional::isPresent)
              .get();
      assertThat(waits).startsWith("drain of node node-1 waits: hello-").contains(" is pending: ");
      assertThat(follower.process().isAlive()).as("events --follow keeps running").isTrue();
      assertThat(drain.process().isAlive()).as("drain --wait waits for the drain").isTrue();

      agent(drover, controller, "node-2", "21000-21999");
      assertThat(drain.waitForExit(Duration.ofSeconds(180)))
          .as("drain --wait returns once the node is drained: " + drain.output())
          .isTrue();
      assertThat(drain.process().exitValue()).as(drain.output()).isZero();
      assertThat(drain.output()).contains("NODE_DRAINED").contains(waits);
      sampling.set(false);
      sampler.get(10, TimeUnit.SECONDS);

      assertThat(samples.get()).as("samples taken during the drain").isGreaterThan(20);
      assertThat(fewest.get())
          .as("fewest READY instances seen during the drain")
          .isGreaterThanOrEqualTo(3);
      assertThat(mostInFlight.get())
          .as("most migrations in flight at once, with --max-parallel 1")
          .isEqualTo(1);
      List<Instance> after = ready(control);
      assertThat(after).hasSize(3).allMatch(i -> i.getNodeName().equals("node-2"));
      assertThat(
              deadline(control)
                  .listInstances(ListInstancesRequest.newBuilder().setNode("node-1").build())
                  .getInstancesList())
          .noneMatch(
              i ->
                  i.getState() == InstanceState.INSTANCE_STATE_READY
                      || i.getState() == InstanceState.INSTANCE_STATE_STARTING
                      || i.getState() == InstanceState.INSTANCE_STATE_DRAINING);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> followed(follower, "NODE_DRAINED"), drained -> drained.size() == 1);

      // The drained node-1 stays cordoned. Cordon node-2 too, and a fourth instance has nowhere
      // to go; uncordon node-2, and it runs there.
      var cordoned = drover.run("cordon", "node-2", "--controller", controller);
      assertThat(cordoned.exitCode()).as(cordoned.stderr()).isZero();
      assertThat(cordoned.stdout().strip())
          .isEqualTo("node node-2 is cordoned: it takes no new instances");
      var scaled = drover.run("scale", "hello", "4", "--controller", controller);
      assertThat(scaled.exitCode()).as(scaled.stderr()).isZero();
      String fourth =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () ->
                      instances(control).stream()
                          .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_PENDING)
                          .map(Instance::getId)
                          .findFirst(),
                  Optional::isPresent)
              .get();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> instance(control, fourth),
              i -> i.getState() == InstanceState.INSTANCE_STATE_PENDING && i.getNode().isEmpty());
      assertThat(ready(control)).hasSize(3);

      var uncordoned = drover.run("uncordon", "node-2", "--controller", controller);
      assertThat(uncordoned.exitCode()).as(uncordoned.stderr()).isZero();
      assertThat(uncordoned.stdout().strip()).isEqualTo("node node-2 takes instances again");
      Instance placed =
          await()
              .atMost(Duration.ofSeconds(90))
              .until(
                  () -> instance(control, fourth),
                  i -> i.getState() == InstanceState.INSTANCE_STATE_READY);
      assertThat(placed.getNodeName()).isEqualTo("node-2");
      assertThat(followed(follower, "NODE_CORDONED")).anyMatch(m -> m.contains("node-2"));
      assertThat(followed(follower, "NODE_UNCORDONED")).anyMatch(m -> m.contains("node-2"));

      // The follower only stops when stopped.
      assertThat(follower.process().isAlive()).isTrue();
      follower.process().destroy();
      assertThat(follower.waitForExit(Duration.ofSeconds(10))).isTrue();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The messages of the events of this kind that a follower printed so far, in order. */
  private static List<String> followed(DroverProcesses.Daemon follower, String kind)
      throws IOException {
    List<String> messages = new ArrayList<>();
    for (String line : follower.output().split("\\R")) {
      if (line.startsWith("{")) {
        JsonNode event = JSON.readTree(line);
        if (event.get("kind").asText().equals(kind)) {
          messages.add(event.get("message").asText());
        }
      }
    }
    return messages;
  }

  private static List<Instance> instances(ControlGrpc.ControlBlockingStub control) {
    return deadline(control)
        .listInstances(ListInstancesRequest.getDefaultInstance())
        .getInstancesList();
  }

  private static Instance instance(ControlGrpc.ControlBlockingStub control, String id) {
    return instances(control).stream().filter(i -> i.getId().equals(id)).findFirst().orElseThrow();
  }

  private static int count(List<Instance> instances, InstanceState state) {
    return (int) instances.stream().filter(i -> i.getState() == state).count();
  }

  private static void agent(DroverProcesses drover, String controller, String name, String ports) {
    drover.start(
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
        ports);
  }

  private static List<Instance> ready(ControlGrpc.ControlBlockingStub control) {
    return deadline(control)
        .listInstances(ListInstancesRequest.getDefaultInstance())
        .getInstancesList()
        .stream()
        .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
        .toList();
  }

  private static ControlGrpc.ControlBlockingStub deadline(ControlGrpc.ControlBlockingStub control) {
    return control.withDeadlineAfter(5, TimeUnit.SECONDS);
  }
}
