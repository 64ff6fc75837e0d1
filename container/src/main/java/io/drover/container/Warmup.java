package io.drover.container;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import com.codahale.metrics.Timer;
import com.sun.net.httpserver.HttpServer;
import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ContainerState;
import io.drover.v1.ContainerStateChange;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Warms an IDLE container once, so that an assignment does not pay for first use: classes loaded
 * and initialised, their call sites linked, some of their code compiled. It walks the path of a
 * typical small service: a jar opened by its own class loader, a class defined from it, a {@link
 * MicroService} created and started, an {@link HttpServer} bound, served and closed on an ephemeral
 * loopback port, NIO channels, executors, Dropwizard metrics, digests, the readiness probe, and the
 * protobuf messages of an assignment. Nothing here is visible to a service later.
 */
final class Warmup implements Runnable {
  private static final Logger log = Logger.getLogger(Warmup.class.getName());

  /** The path is walked a few times so that the hottest methods get compiled. */
  private static final int ROUNDS = 3;

  @Override
  public void run() {
    long started = System.nanoTime();
    int failures = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (Step step :
          new Step[] {
            this::serviceJar,
            this::httpServer,
            this::nio,
            this::concurrency,
            this::metrics,
            this::digests,
            this::protocol
          }) {
        try {
          step.run();
        } catch (Exception | LinkageError e) {
          // A warm-up is an optimisation: a failed step costs speed, never correctness.
          failures++;
          if (round == 0) {
            log.log(Level.FINE, "warm-up step failed", e);
          }
        }
      }
    }
    log.info(
        "warm-up done in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
            + " ms"
            + (failures == 0 ? "" : " (" + failures + " step(s) failed)"));
  }

  private interface Step {
    void run() throws Exception;
  }

  /** A jar, a class loader of a service, a class defined and a MicroService started. */
  private void serviceJar() throws Exception {
    Path jar = Files.createTempFile("drover-warmup", ".jar");
    try {
      String entry = Probe.class.getName().replace('.', '/') + ".class";
      try (InputStream in = Warmup.class.getClassLoader().getResourceAsStream(entry);
          JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        if (in == null) {
          return;
        }
        out.putNextEntry(new JarEntry(entry));
        in.transferTo(out);
        out.closeEntry();
      }
      ServiceAssignment assignment =
          ServiceAssignment.newBuilder()
              .setService("warmup")
              .setInstanceId("warmup")
              .setEntry(Probe.class.getName())
              .setLocalPath(jar.toString())
              .addPorts(PortBinding.newBuilder().setName("http").setPort(1))
              .putEnv("WARMUP", "1")
              .build();
      ServiceContext context =
          new ServiceContextImpl(
              assignment,
              new MetricRegistry(),
              new ServiceContextImpl.Reports() {
                @Override
                public void overload(String reason) {}

                @Override
                public void error(String error) {}
              });
      ServiceLauncher.mainArgs(assignment);
      try (URLClassLoader loader =
          ServiceClassLoaders.forJar("warmup", jar, Warmup.class.getClassLoader())) {
        Class<?> probe = Class.forName(Probe.class.getName(), true, loader);
        if (MicroService.class.isAssignableFrom(probe)) {
          MicroService service = (MicroService) probe.getConstructor().newInstance();
          service.start(context);
          service.isReady();
          service.stop();
        }
        probe.getMethod("main", String[].class).invoke(null, (Object) new String[] {"0"});
      }
    } finally {
      Files.deleteIfExists(jar);
    }
  }

  /** HttpServer bound on loopback, one request served, closed. */
  private void httpServer() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    ExecutorService executor = Executors.newFixedThreadPool(2);
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          byte[] body =
              ("warm " + exchange.getRequestURI().getPath() + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    try {
      int port = server.getAddress().getPort();
      ServiceLauncher.accepts(port);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        socket.setSoTimeout(2000);
        socket
            .getOutputStream()
            .write(
                "GET /warm HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getInputStream().readAllBytes();
      }
    } finally {
      server.stop(0);
      executor.shutdownNow();
    }
    // The refused path of the readiness probe.
    try (ServerSocketChannel closed = ServerSocketChannel.open()) {
      closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = ((InetSocketAddress) closed.getLocalAddress()).getPort();
      closed.close();
      ServiceLauncher.accepts(port);
    }
  }

  /** NIO: a server channel, a client channel, a selector, buffers. */
  private void nio() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = Selector.open()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
          SocketChannel accepted = server.accept()) {
        ByteBuffer out = ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII));
        client.write(out);
        ByteBuffer in = ByteBuffer.allocateDirect(16);
        accepted.read(in);
        accepted.configureBlocking(false);
        accepted.register(selector, java.nio.channels.SelectionKey.OP_READ);
        selector.selectNow();
      }
    }
  }

  /** Executors, futures, concurrent maps, atomics. */
  private void concurrency() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    ScheduledExecutorService scheduled = Executors.newSingleThreadScheduledExecutor();
    try {
      Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
      CompletableFuture<Long> sum =
          CompletableFuture.supplyAsync(
                  () -> counts.computeIfAbsent("a", k -> new AtomicLong()).incrementAndGet(), pool)
              .thenCombine(CompletableFuture.supplyAsync(() -> 41L, pool), (a, b) -> a + b);
      sum.get(2, TimeUnit.SECONDS);
      scheduled.schedule(() -> counts.size(), 1, TimeUnit.MILLISECONDS).get(2, TimeUnit.SECONDS);
      UUID.randomUUID();
    } finally {
      pool.shutdownNow();
      scheduled.shutdownNow();
    }
  }

  /** The Dropwizard types a service typically registers, and their flattening. */
  private void metrics() {
    MetricRegistry registry = new MetricRegistry();
    Timer timer = registry.timer("requests");
    Timer windowed =
        registry.register(
            "windowed", new Timer(new SlidingTimeWindowArrayReservoir(1, TimeUnit.MINUTES)));
    for (int i = 0; i < 100; i++) {
      try (Timer.Context ignored = timer.time()) {
        windowed.update(i, TimeUnit.MICROSECONDS);
      }
    }
    registry.meter("meter").mark();
    registry.counter("counter").inc();
    registry.histogram("histogram").update(3);
    registry.gauge("gauge", () -> () -> 1.0);
    new MetricsFlattener(100).flatten(registry);
  }

  private void digests() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    HexFormat.of().formatHex(sha.digest("warm".getBytes(StandardCharsets.UTF_8)));
    String.format("%s %d %.2f", "warm", 1, 1.5);
  }

  /** The messages of an assignment, parsed as they come off the wire. */
  private void protocol() throws Exception {
    ServiceAssignment assignment =
        ServiceAssignment.newBuilder()
            .setService("warmup")
            .setInstanceId("warmup-1")
            .addPorts(PortBinding.newBuilder().setName("http").setPort(20000))
            .setEntry("a.B")
            .addArgs("x")
            .putEnv("K", "V")
            .putSystemProperties("k", "v")
            .setLocalPath("/nonexistent.jar")
            .setGracePeriodMs(1000)
            .setStartTimeoutMs(1000)
            .build();
    ServiceAssignment.parseFrom(assignment.toByteArray()).getPortsList();
    io.drover.v1.AgentToContainer.parseFrom(
        io.drover.v1.AgentToContainer.newBuilder().setAssign(assignment).build().toByteArray());
    ContainerMessage.newBuilder()
        .setStateChange(
            ContainerStateChange.newBuilder().setState(ContainerState.CONTAINER_STATE_LOADING))
        .build()
        .toByteArray();
  }

  /** The class the warm-up loads from a jar, as a service's would be. */
  public static final class Probe implements MicroService {
    private volatile boolean started;

    public static void main(String[] args) {
      System.getProperty("drover.port", args.length > 0 ? args[0] : "0");
    }

    @Override
    public void start(ServiceContext context) {
      context.ports();
      context.env();
      context.metrics().timer("probe").update(1, TimeUnit.MILLISECONDS);
      started = true;
    }

    @Override
    public void stop() {
      started = false;
    }

    @Override
    public boolean isReady() {
      return started;
    }
  }
}
