package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler against real load: clients keep requests in flight on the hello example, whose
 * {@code inflight} gauge the policy tracks at 2 per instance.
 */
class AutoscalingIT {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
          .toAbsolutePath()
          .normalize();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private ManagedChannel channel;
  private ControlGrpc.ControlBlockingStub control;
  private LoadGenerator load;

  @AfterEach
  void stop() throws Exception {
    if (load != null) {
      load.close();
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStepOfLoadScalesUpAndItsRemovalScalesDownOnlyAfterStabilization() throws Exception {
    start("upCooldown: 3s", "downStabilization: 15s", "downCooldown: 5s");
    await().atMost(Duration.ofSeconds(60)).until(() -> ready().size() == 1);

    // 8 requests in flight, 2 per instance: 4 instances.
    load = new LoadGenerator(() -> 8);
    Instant stepAt = Instant.now();
    await().atMost(Duration.ofSeconds(45)).until(() -> ready().size() == 4);
    Duration up = Duration.between(stepAt, Instant.now());
    assertThat(scaledEvents()).anyMatch(m -> m.contains("inflight"));

    load.close();
    Instant removedAt = Instant.now();
    await().atMost(Duration.ofSeconds(60)).until(() -> desired() < 4);
    Duration down = Duration.between(removedAt, Instant.now());
    assertThat(down)
        .as("no scale-down before the 15 s down stabilization window (scale-up took %s)", up)
        .isGreaterThanOrEqualTo(Duration.ofSeconds(14));
    assertThat(heldEvents()).anyMatch(m -> m.contains("stabilization holds until"));
    await()
        .atMost(Duration.ofSeconds(60))
        .conditionEvaluationListener(
            condition -> {
              if (condition.getRemainingTimeInMS() <= 0) {
                System.err.println("scaling events: " + scaledEvents() + " held: " + heldEvents());
              }
            })
        .until(() -> desired() == 1);
  }

  @Test
  void aSinusoidalLoadDoesNotMakeItFlap() throws Exception {
    start("upCooldown: 5s", "downStabilization: 30s", "downCooldown: 15s");
    await().atMost(Duration.ofSeconds(60)).until(() -> ready().size() == 1);
    long start = System.nanoTime();
    // Between 2 and 10 requests in flight, a period of 40 s, for 2 minutes.
    load =
        new LoadGenerator(
            () -> {
              double t = (System.nanoTime() - start) / 1e9;
              return (int) Math.round(6 + 4 * Math.sin(2 * Math.PI * t / 40));
            });
    await().pollDelay(Duration.ofSeconds(120)).atMost(Duration.ofSeconds(125)).until(() -> true);
    load.close();
    // Three periods; the 30 s down window spans most of a trough, so each period can bring at
    // most one scale-down and one scale-up, plus the first climb: at most 2 × 3 + 2 changes.
    List<String> changes = scaledEvents();
    assertThat(changes).as("scale changes under a sinusoidal load").hasSizeLessThanOrEqualTo(8);
    assertThat(changes).as("it did react to the load").isNotEmpty();
  }

  private void start(String... timings) throws Exception {
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
            resources: {memoryMb: 160, cpuMillis: 100}
            replicas: {min: 1, max: 6, initial: 1}
            ports: [http]
            warmPool: 2
            gracePeriod: 1s
            systemProperties: {hello.threads: "16"}
            scaling:
              # Requests here take 400 ms on purpose, so the example's own p99 overload
              # report would fire: this test is about target tracking alone.
              overload: false
              interval: 2s
              maxStepUp: 4
              maxStepDown: 2
              %s
              targets:
                - {metric: inflight, target: 2}
        """
            .formatted(EXAMPLES, String.join("\n      ", timings)));
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
    channel = NettyChannelBuilder.forTarget(controller).usePlaintext().build();
    control = ControlGrpc.newBlockingStub(channel);
  }

  private List<Instance> ready() {
    try {
      return control
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .listInstances(ListInstancesRequest.getDefaultInstance())
          .getInstancesList()
          .stream()
          .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
          .toList();
    } catch (RuntimeException notYet) {
      return List.of();
    }
  }

  private int desired() {
    return control
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .listServices(ListServicesRequest.getDefaultInstance())
        .getServices(0)
        .getDesired();
  }

  private List<String> scaledEvents() {
    return events("SERVICE_SCALED");
  }

  private List<String> heldEvents() {
    return events("SCALING_HELD");
  }

  private List<String> events(String kind) {
    List<String> messages = new ArrayList<>();
    control
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .watchEvents(WatchEventsRequest.newBuilder().setTail(10_000).build())
        .forEachRemaining(
            (Event e) -> {
              if (e.getKind().equals(kind)) {
                messages.add(e.getMessage());
              }
            });
    return messages;
  }

  /** Keeps a varying number of /work requests in flight, spread over the READY instances. */
  private final class LoadGenerator implements AutoCloseable {
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean running = true;
    private volatile List<Instance> targets = List.of();
    private final AtomicInteger next = new AtomicInteger();

    LoadGenerator(IntSupplier concurrency) {
      clients.execute(
          () -> {
            while (running) {
              targets = ready();
              try {
                TimeUnit.MILLISECONDS.sleep(500);
              } catch (InterruptedException e) {
                return;
              }
            }
          });
      for (int slot = 0; slot < 12; slot++) {
        int mine = slot;
        clients.execute(
            () -> {
              while (running) {
                List<Instance> now = targets;
                if (mine >= concurrency.getAsInt() || now.isEmpty()) {
                  pause();
                  continue;
                }
                Instance instance = now.get(Math.floorMod(next.getAndIncrement(), now.size()));
                try {
                  http.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:"
                                      + instance.getPorts(0).getPort()
                                      + "/work?ms=400"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      HttpResponse.BodyHandlers.discarding());
                } catch (Exception e) {
                  pause(); // the instance went away; the next listing drops it
                }
              }
            });
      }
    }

    private void pause() {
      try {
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      clients.shutdownNow();
      clients.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
