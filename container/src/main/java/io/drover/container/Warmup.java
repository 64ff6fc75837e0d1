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
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.StringConcatFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Warms an IDLE container once, so that an assignment does not pay for first use: classes loaded
 * and initialised, their call sites linked, some of their code compiled. It walks the path of a
 * typical small service: a jar opened by its own class loader, a class defined from it, a {@link
 * MicroService} created and started, an {@link HttpServer} bound, served and closed on an ephemeral
 * loopback port, NIO channels, executors, Dropwizard metrics, digests, the readiness probe, and the
 * protobuf messages of an assignment. Nothing here is visible to a service later.
 */
final class Warmup implements Runnable {
  /** The path is walked a few times so that the hottest methods get compiled. */
  private static final int ROUNDS = 3;

  /** A warm-up that takes longer than this (a starved machine) stops after the current round. */
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(10);

  @Override
  public void run() {
    long started = System.nanoTime();
    int failures = 0;
    int rounds = 0;
    String[] names = {
      "service jar",
      "string concatenation",
      "HttpServer",
      "NIO",
      "concurrency",
      "metrics",
      "digests",
      "protocol"
    };
    Step[] steps = {
      this::serviceJar,
      this::stringConcat,
      this::httpServer,
      this::nio,
      this::concurrency,
      this::metrics,
      this::digests,
      this::protocol
    };
    while (rounds < ROUNDS && System.nanoTime() - started < BUDGET_NANOS) {
      rounds++;
      for (int i = 0; i < steps.length; i++) {
        long stepStarted = System.nanoTime();
        try {
          steps[i].run();
        } catch (Throwable e) {
          // A warm-up is an optimisation: a failed step costs speed, never correctness.
          failures++;
          if (rounds == 1) {
            RuntimeLog.info("warm-up step '" + names[i] + "' failed: " + e);
          }
        }
        RuntimeLog.fine(
            "warm-up round "
                + rounds
                + " "
                + names[i]
                + ": "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepStarted)
                + " ms");
      }
    }
    RuntimeLog.info(
        "warm-up done in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
            + " ms, "
            + rounds
            + " round(s)"
            + (failures == 0 ? "" : ", " + failures + " step(s) failed"));
  }

  private interface Step {
    void run() throws Throwable;
  }

  /** Runtime classes an assignment uses, loaded and linked ahead of it. */
  private static final String[] RUNTIME_CLASSES = {
    "io.drover.container.ContainerRuntime$LaunchCallbacks",
    "io.drover.container.ContainerRuntime$Reports",
    "io.drover.container.ContainerRuntime$StartTimeout",
    "io.drover.container.ServiceContextImpl",
    "io.drover.container.ServiceLauncher$Phases",
    "io.drover.v1.ContainerStateChange$Builder",
    "java.util.concurrent.TimeoutException",
  };

  /**
   * A service jar (with a manifest, as Maven writes it) loaded by the very launcher an assignment
   * uses, once as a MicroService and once as a plain main whose port is probed, without setting
   * system properties.
   */
  private void serviceJar() throws Exception {
    for (String name : RUNTIME_CLASSES) {
      Class.forName(name, true, Warmup.class.getClassLoader());
    }
    Path jar = Files.createTempFile("drover-warmup", ".jar");
    // Deleted below; and at exit too, should the container be told to stop in the middle.
    jar.toFile().deleteOnExit();
    try (ServerSocket listening = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Manifest manifest = new Manifest();
      Attributes main = manifest.getMainAttributes();
      main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
      main.put(Attributes.Name.IMPLEMENTATION_TITLE, "drover-warmup");
      main.put(Attributes.Name.IMPLEMENTATION_VERSION, "1");
      main.putValue("Created-By", "drover");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
        for (Class<?> type : new Class<?>[] {Probe.class, MainProbe.class}) {
          String entry = type.getName().replace('.', '/') + ".class";
          try (InputStream in = Warmup.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) {
              return;
            }
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
          }
        }
      }
      ServiceLauncher launcher = new ServiceLauncher(Warmup.class.getClassLoader(), false);
      for (Class<?> entry : new Class<?>[] {Probe.class, MainProbe.class}) {
        ServiceAssignment assignment =
            ServiceAssignment.newBuilder()
                .setService("warmup")
                .setInstanceId("warmup")
                .setEntry(entry.getName())
                .setLocalPath(jar.toString())
                .addPorts(
                    PortBinding.newBuilder().setName("http").setPort(listening.getLocalPort()))
                .putEnv("WARMUP", "1")
                .build();
        ContainerRuntime.ports(assignment);
        ServiceContextImpl context =
            new ServiceContextImpl(
                assignment,
                new MetricRegistry(),
                new ServiceContextImpl.Reports() {
                  @Override
                  public void overload(String reason) {}

                  @Override
                  public void error(String error) {}
                },
                service -> {
                  throw new IllegalStateException("no discovery while warming up");
                });
        WarmCallbacks callbacks = new WarmCallbacks();
        launcher.launch(assignment, context, callbacks).join(5000);
        callbacks.awaitReady();
        if (callbacks.service != null) {
          callbacks.service.stop();
        }
        if (callbacks.loader != null) {
          callbacks.loader.close();
        }
      }
    } finally {
      Files.deleteIfExists(jar);
    }
  }

  /** Callbacks of a warm-up launch: remember, never report. */
  private static final class WarmCallbacks implements ServiceLauncher.Callbacks {
    private final java.util.concurrent.CountDownLatch done =
        new java.util.concurrent.CountDownLatch(1);
    private volatile boolean loading = true;
    volatile URLClassLoader loader;
    volatile MicroService service;

    @Override
    public boolean loading() {
      return loading;
    }

    @Override
    public void loaded(URLClassLoader loader, MicroService service) {
      this.loader = loader;
      this.service = service;
    }

    @Override
    public void ready(String phases) {
      loading = false;
      done.countDown();
    }

    @Override
    public void failed(Throwable cause) {
      loading = false;
      done.countDown();
    }

    @Override
    public void mainFailed(Throwable cause) {}

    void awaitReady() throws InterruptedException {
      done.await(5, TimeUnit.SECONDS);
      loading = false;
    }
  }

  /** The shapes of string concatenation a service's code most often links on first run. */
  private void stringConcat() throws Throwable {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    Object[][] samples = {
      {"a"},
      {"a", "b"},
      {"a", 1},
      {"a", 1L},
      {"a", "b", "c"},
      {"a", "b", 1},
      {"a", 1, "b"},
      {1},
      {1L},
      {new Object()},
      {"a", new Object()},
      {"a", "b", "c", "d"},
      {"a", 1.5},
      {"a", 'c'},
      {"a", true},
      {"a", 1, 2}
    };
    for (Object[] args : samples) {
      Class<?>[] types = new Class<?>[args.length];
      StringBuilder recipe = new StringBuilder("x");
      for (int i = 0; i < args.length; i++) {
        Object arg = args[i];
        types[i] =
            arg instanceof Integer
                ? int.class
                : arg instanceof Long
                    ? long.class
                    : arg instanceof Double
                        ? double.class
                        : arg instanceof Character
                            ? char.class
                            : arg instanceof Boolean
                                ? boolean.class
                                : arg instanceof String ? String.class : Object.class;
        recipe.append('\u0001').append(' ');
      }
      MethodType type = MethodType.methodType(String.class, types);
      CallSite site =
          StringConcatFactory.makeConcatWithConstants(lookup, "concat", type, recipe.toString());
      site.dynamicInvoker().invokeWithArguments(args);
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

  /** NIO: a server channel, a client channel, a selector, buffers; the wildcard address. */
  private void nio() throws IOException {
    new InetSocketAddress(0).getAddress().isAnyLocalAddress();
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

  /** A plain main the warm-up loads from a jar. */
  public static final class MainProbe {
    public static void main(String[] args) {
      System.getProperty("drover.port", args.length > 0 ? args[0] : "0");
    }
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
