package io.drover.bench;

import io.drover.common.net.PortRange;
import io.drover.controller.ports.PortPool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One node's port pool (the default range of 12,001 ports) with {@code held} ports allocated: one
 * port allocated and the oldest one released, as placement and stops do. Released ports rest in
 * quarantine, so the pool always holds resting ports too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PortPoolBench {
  @Param({"100", "10000"})
  int held;

  private PortPool pool;
  private final ArrayDeque<Integer> allocated = new ArrayDeque<>();
  private Instant now;

  @Setup(Level.Iteration)
  public void setUp() {
    pool =
        new PortPool(
            "bench", new PortRange(20000, 32000), Duration.ofMillis(1), Duration.ofMinutes(5));
    now = Instant.parse("2026-01-01T00:00:00Z");
    allocated.clear();
    for (int i = 0; i < held; i++) {
      allocated.add(pool.allocate(1, now).get(0));
    }
  }

  @Benchmark
  public List<Integer> allocateOneReleaseOne() {
    // A millisecond a step: ports released 2 steps ago are out of quarantine again.
    now = now.plusMillis(1);
    List<Integer> port = pool.allocate(1, now);
    allocated.add(port.get(0));
    pool.release(allocated.poll(), now);
    return port;
  }
}
