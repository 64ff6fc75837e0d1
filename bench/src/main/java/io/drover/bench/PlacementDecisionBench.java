package io.drover.bench;

import io.drover.controller.agents.Health;
import io.drover.controller.catalog.RecoveryPolicy;
import io.drover.controller.containers.JvmProfile;
import io.drover.controller.scheduling.Placement;
import io.drover.controller.scheduling.ServicePlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Placement decisions over {@code nodes} candidate nodes, half of them with an IDLE container, with
 * random loads: the pure part of placing one instance, without the scheduler's bookkeeping around
 * it. {@code place} looks at every node, as one lone decision does; {@code placeInRound} is a
 * decision within a reconcile pass ({@link Placement.Round}), as the scheduler makes them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PlacementDecisionBench {
  @Param({"100", "10000"})
  int nodes;

  private ServicePlan plan;
  private List<Placement.Candidate> candidates;

  @Setup
  public void setUp() {
    plan =
        new ServicePlan(
            "orders",
            new JvmProfile("default", "", 128, List.of()),
            false,
            16,
            1,
            1,
            1000,
            1,
            List.of("http"),
            "file:/srv/orders.jar",
            "",
            "orders.Main",
            List.of(),
            Map.of(),
            Map.of(),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            0,
            new Health(Health.Type.READY, "", "", Duration.ofSeconds(5), Duration.ofSeconds(1)),
            Optional.empty(),
            RecoveryPolicy.DEFAULT);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    candidates = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      candidates.add(
          new Placement.Candidate(
              "node-" + i,
              String.format("n%05d", i),
              i % 2 == 0 ? List.of("c-" + i) : List.of(),
              0,
              random.nextInt(100),
              64L << 30,
              32L << 30,
              32,
              random.nextInt(30_000),
              random.nextInt(16_000),
              random.nextDouble()));
    }
  }

  /** The scheduler's way: one round per pass, each decision putting back the node it filled. */
  private Placement.Round round;

  private final java.util.Map<String, Placement.Candidate> current = new java.util.HashMap<>();

  @Setup(org.openjdk.jmh.annotations.Level.Iteration)
  public void newRound() {
    current.clear();
    candidates.forEach(c -> current.put(c.nodeId(), c));
    round = new Placement.Round(plan, candidates);
  }

  /** One decision looking at every node, as a lone placement does. */
  @Benchmark
  public Placement.Decision place() {
    return Placement.place(plan, candidates);
  }

  /**
   * One decision within a round, and the chosen node put back one instance fuller (its IDLE
   * container taken), as the scheduler does after each placement.
   */
  @Benchmark
  public Placement.Decision placeInRound() {
    Placement.Decision decision = round.place("");
    String nodeId;
    if (decision instanceof Placement.Decision.Warm warm) {
      nodeId = warm.nodeId();
    } else if (decision instanceof Placement.Decision.StartContainer start) {
      nodeId = start.nodeId();
    } else {
      return decision;
    }
    Placement.Candidate c = current.get(nodeId);
    Placement.Candidate filled =
        new Placement.Candidate(
            c.nodeId(),
            c.name(),
            List.of(),
            0,
            c.serviceInstances() + 1,
            c.memoryTotalBytes(),
            c.memoryAvailableBytes(),
            c.cores(),
            c.requestedMemoryMb() + plan.memoryMb(),
            c.requestedCpuMillis() + plan.cpuMillis(),
            c.cpuLoad());
    current.put(nodeId, filled);
    round.put(filled);
    return decision;
  }
}
