package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListNodesRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Draining a node moves its instances make-before-break: the service never drops below min. */
class DrainIT {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

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
      // All three start on node-1, the only node; then node-2 joins, empty.
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> ready(control).size() == 3);
      agent(drover, controller, "node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  deadline(control).listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount()
                      == 2);

      AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
      AtomicInteger samples = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      CompletableFuture<Void> sampler =
          CompletableFuture.runAsync(
              () -> {
                while (sampling.get()) {
                  fewest.accumulateAndGet(ready(control).size(), Math::min);
                  samples.incrementAndGet();
                }
              });

      var drained = drover.run("drain", "node-1", "--wait", "--controller", controller);
      assertThat(drained.exitCode()).as(drained.stderr()).isZero();
      assertThat(drained.stdout()).contains("NODE_DRAINED");
      sampling.set(false);
      sampler.get(10, TimeUnit.SECONDS);

      assertThat(samples.get()).as("samples taken during the drain").isGreaterThan(20);
      assertThat(fewest.get())
          .as("fewest READY instances seen during the drain")
          .isGreaterThanOrEqualTo(3);
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
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
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
