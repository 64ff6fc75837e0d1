package io.drover.examples.hello;

import static io.drover.examples.hello.ExampleContainers.START;
import static io.drover.examples.hello.ExampleContainers.assignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.container.testing.ContainerProcess;
import io.drover.container.testing.FakeAgent;
import io.drover.container.testing.Http;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures, and only prints, how long HelloService takes from the agent sending {@code assign} to
 * its port accepting TCP: on warm IDLE containers (warmed up, in the pool for a couple of seconds)
 * and on containers started cold for the assignment, which get it right after they attach. Timing
 * depends on the machine, so nothing here is asserted. {@code -Ddrover.latency.runs=N} changes the
 * number of runs (20); {@code -Ddrover.latency.coldWarmup=true} lets the cold containers warm up
 * while they attach (DROVER_WARMUP=true).
 */
class StartLatencyIT {
  private static final int RUNS = Integer.getInteger("drover.latency.runs", 20);
  private static final Pattern READY = Pattern.compile("RUNNING, ready (\\d+\\.\\d+) ms after");

  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private FakeAgent agent;

  @AfterEach
  void closeAgent() throws InterruptedException {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void assignmentToAcceptingTcpWarmAndCold() throws Exception {
    agent = FakeAgent.start(0, 250);
    List<Double> warm = new ArrayList<>();
    List<Double> warmInside = new ArrayList<>();
    // Run 0 is not counted: it warms this JVM's side (the agent's send path, the TCP probe).
    for (int i = 0; i <= RUNS; i++) {
      String id = "warm-" + i;
      agent.expect(id, "secret-of-" + id);
      ContainerProcess container = ContainerProcess.builder(id, agent.port(), dir).start(processes);
      // Warmed up, and IDLE in the pool for a moment: four metrics samples (a second) sent.
      await()
          .atMost(START)
          .untilAsserted(
              () ->
                  assertThat(agent.metrics(id))
                      .as(container::describe)
                      .hasSizeGreaterThanOrEqualTo(4)
                      .satisfies(m -> assertThat(container.logText()).contains("warm-up done")));
      int port = FreePorts.find();
      double millis = measure(container, port, assignment("hello", id, HelloService.class, port));
      double inside = insideMillis(container);
      if (i > 0) {
        warm.add(millis);
        warmInside.add(inside);
      }
      release(container);
    }
    List<Double> cold = new ArrayList<>();
    List<Double> coldInside = new ArrayList<>();
    List<Double> coldFromSpawn = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      String id = "cold-" + i;
      int port = FreePorts.find();
      agent.expect(id, "secret-of-" + id);
      ContainerProcess container =
          ContainerProcess.builder(id, agent.port(), dir)
              .coldPort(port)
              .env("DROVER_WARMUP", System.getProperty("drover.latency.coldWarmup", ""))
              .start(processes);
      await().atMost(START).pollInterval(Duration.ofMillis(1)).until(() -> agent.attached(id));
      double millis = measure(container, port, assignment("hello", id, HelloService.class, port));
      cold.add(millis);
      coldInside.add(insideMillis(container));
      coldFromSpawn.add(lastAcceptAt.get() / 1e6 - container.startedAtNanos() / 1e6);
      release(container);
    }
    System.out.printf(
        Locale.ROOT,
        "%nassign -> HelloService accepting TCP, %d runs each, JVM flags %s%n",
        RUNS,
        ContainerProcess.JVM_FLAGS);
    print("warm IDLE container, assign sent -> port accepts", warm);
    print("warm IDLE container, inside: assign received -> RUNNING", warmInside);
    print("cold container, assign sent (right after attach) -> port accepts", cold);
    print("cold container, inside: assign received -> RUNNING", coldInside);
    print("cold container, JVM spawned -> port accepts", coldFromSpawn);
  }

  private final AtomicLong lastAcceptAt = new AtomicLong();

  /** Milliseconds from sending the assignment to the port accepting a connection. */
  private double measure(ContainerProcess container, int port, io.drover.v1.ServiceAssignment a) {
    long sent = System.nanoTime();
    agent.assign(container.id(), a);
    await()
        .atMost(START)
        .pollInSameThread()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              if (Http.accepts(port)) {
                lastAcceptAt.set(System.nanoTime());
                return true;
              }
              return false;
            });
    return (lastAcceptAt.get() - sent) / 1e6;
  }

  /** The container's own figure: assignment received to RUNNING. */
  private static double insideMillis(ContainerProcess container) {
    await().atMost(START).until(() -> READY.matcher(container.logText()).find());
    Matcher m = READY.matcher(container.logText());
    m.find();
    return Double.parseDouble(m.group(1));
  }

  private void release(ContainerProcess container) throws InterruptedException {
    agent.release(container.id(), 5000);
    if (container.awaitExit(Duration.ofSeconds(10)) < 0) {
      container.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void print(String what, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    double p50 = sorted.get((sorted.size() - 1) / 2);
    double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "  %-66s p50 %7.1f ms  mean %7.1f ms  min %7.1f ms  max %7.1f ms%n",
        what,
        p50,
        mean,
        sorted.get(0),
        sorted.get(sorted.size() - 1));
  }
}
