package io.drover.bench.swarm;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * N simulated agents in this JVM, each with a gRPC connection of its own (Netty, loopback) to one
 * controller. They share the event loops, the callback threads and one timer, so that ten thousand
 * of them fit in one process.
 */
public final class Swarm implements AutoCloseable {
  private final List<SimAgent> agents = new ArrayList<>();
  private final EventLoopGroup loops;
  private final ExecutorService callbacks;
  private final ScheduledExecutorService timer;
  private final long telemetryIntervalMs;
  private final int containerMetricsPerSample;
  private final boolean batches;
  private final AtomicLong disconnects = new AtomicLong();
  private volatile String lastDisconnect = "";

  /**
   * @param telemetryInterval how often each agent samples; zero takes what the controller's welcome
   *     asks for
   * @param containerMetricsPerSample at most this many containers in each sample
   */
  public Swarm(Duration telemetryInterval, int containerMetricsPerSample, int threads) {
    this.telemetryIntervalMs = telemetryInterval.toMillis();
    this.containerMetricsPerSample = containerMetricsPerSample;
    // -Ddrover.bench.batches=false: one message per command and per report, as before batches.
    this.batches = Boolean.parseBoolean(System.getProperty("drover.bench.batches", "true"));
    this.loops = new NioEventLoopGroup(threads, daemon("swarm-netty"));
    this.callbacks = Executors.newFixedThreadPool(threads, daemon("swarm-callback"));
    this.timer = Executors.newScheduledThreadPool(1, daemon("swarm-timer"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Opens {@code count} agents to the controller at {@code 127.0.0.1:port}, at most {@code
   * perSecond} new connections a second (a stampede of hellos is a scenario of its own).
   */
  public void connect(int port, int count, int perSecond) throws InterruptedException {
    connect(port, count, perSecond, 0);
  }

  /**
   * As {@link #connect(int, int, int)}, each agent already running {@code spares} IDLE containers
   * when it joins.
   */
  public void connect(int port, int count, int perSecond, int spares) throws InterruptedException {
    String run = UUID.randomUUID().toString().substring(0, 8);
    long started = System.nanoTime();
    int first = agents.size();
    for (int i = 0; i < count; i++) {
      int n = first + i;
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .eventLoopGroup(loops)
              .channelType(NioSocketChannel.class)
              .executor(callbacks)
              .maxInboundMessageSize(16 << 20)
              .build();
      SimAgent agent =
          new SimAgent(this, "sim-" + run + "-" + n, String.format("sim-%05d", n), channel, spares);
      agents.add(agent);
      agent.connect();
      long due = started + TimeUnit.SECONDS.toNanos(1) * (i + 1) / perSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  public List<SimAgent> agents() {
    return agents;
  }

  public int connected() {
    int n = 0;
    for (SimAgent a : agents) {
      if (a.connected()) {
        n++;
      }
    }
    return n;
  }

  public long running() {
    long n = 0;
    for (SimAgent a : agents) {
      n += a.runningContainers();
    }
    return n;
  }

  public long disconnects() {
    return disconnects.get();
  }

  public String lastDisconnect() {
    return lastDisconnect;
  }

  long telemetryIntervalMs() {
    return telemetryIntervalMs;
  }

  int containerMetricsPerSample() {
    return containerMetricsPerSample;
  }

  /** Whether the agents take command batches and send batches of their own. */
  public boolean batches() {
    return batches;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  void disconnected(SimAgent agent, Status reason) {
    disconnects.incrementAndGet();
    lastDisconnect = agent.name() + ": " + reason;
  }

  @Override
  public void close() throws InterruptedException {
    for (SimAgent a : agents) {
      a.close();
    }
    for (SimAgent a : agents) {
      a.channel().shutdownNow();
    }
    for (SimAgent a : agents) {
      a.channel().awaitTermination(5, TimeUnit.SECONDS);
    }
    timer.shutdownNow();
    callbacks.shutdownNow();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }
}
