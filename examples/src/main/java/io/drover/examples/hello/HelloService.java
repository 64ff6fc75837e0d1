package io.drover.examples.hello;

import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import com.codahale.metrics.Timer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK's hello world: a JDK {@link HttpServer} on the port named {@code http} (or the first),
 * answering {@code GET /} with {@code hello from INSTANCE_ID} and {@code GET /healthz} with 200.
 *
 * <p>Every request is timed by the Timer {@code requests} (a one-minute sliding window), which the
 * container sends to the controller as {@code requests.p99}, {@code requests.count} and so on. The
 * service calls {@link ServiceContext#reportOverload} when the p99 of the last minute exceeds
 * {@code hello.overload.p99Ms} (default 250) or more than {@code hello.overload.queue} requests
 * (default 100) wait for a worker; at most once per 5 seconds. {@code hello.threads} sets the
 * workers (default 4). {@code GET /work?ms=N} answers after N milliseconds (default 50), like an
 * I/O-bound handler; the gauge {@code inflight} counts requests in progress, a metric the
 * autoscaler can track. With {@code hello.overloadEndpoint=true}, {@code GET /overload} reports
 * overload at once (benchmarks use it). With {@code hello.logRequests=true}, each request writes
 * one line to the service's output (its log), such as {@code hello hello-1: GET /}.
 */
public final class HelloService implements MicroService {
  public static final String P99_THRESHOLD_MS = "hello.overload.p99Ms";
  public static final String QUEUE_THRESHOLD = "hello.overload.queue";
  public static final String THREADS = "hello.threads";

  /** With {@code true}, GET /overload makes the service report overload (for benchmarks). */
  public static final String OVERLOAD_ENDPOINT = "hello.overloadEndpoint";

  /** With {@code true}, GET /error makes the service report an error (for recovery tests). */
  public static final String ERROR_ENDPOINT = "hello.errorEndpoint";

  /** With {@code true}, GET /crash ends the JVM at once with exit code 3 (for recovery tests). */
  public static final String CRASH_ENDPOINT = "hello.crashEndpoint";

  /** With {@code true}, every request writes a line to standard output (the container log). */
  public static final String LOG_REQUESTS = "hello.logRequests";

  /**
   * With {@code true}, GET /peers?service=NAME lists the READY instances of NAME, one id a line, as
   * the container's live view of that service sees them (for discovery tests).
   */
  public static final String PEERS_ENDPOINT = "hello.peersEndpoint";

  static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private ServiceContext context;
  private HttpServer server;
  private ThreadPoolExecutor workers;
  private ScheduledExecutorService checker;
  private Timer requests;
  private double p99ThresholdMs;
  private int queueThreshold;
  private long lastReportNanos;
  private boolean reported;
  private volatile boolean ready;
  private final AtomicInteger inflight = new AtomicInteger();

  @Override
  public void start(ServiceContext context) throws IOException {
    this.context = context;
    p99ThresholdMs = Double.parseDouble(System.getProperty(P99_THRESHOLD_MS, "250"));
    queueThreshold = Integer.getInteger(QUEUE_THRESHOLD, 100);
    int threads = Integer.getInteger(THREADS, 4);
    int port = context.ports().containsKey("http") ? context.port("http") : context.port();

    requests =
        context
            .metrics()
            .timer(
                "requests",
                () -> new Timer(new SlidingTimeWindowArrayReservoir(1, TimeUnit.MINUTES)));
    workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            named("hello-http"));
    server = HttpServer.create(new InetSocketAddress(port), 1024);
    server.setExecutor(workers);
    String greeting = "hello from " + context.instanceId() + "\n";
    context.metrics().gauge("inflight", () -> inflight::get);
    boolean overloadEndpoint = Boolean.getBoolean(OVERLOAD_ENDPOINT);
    boolean errorEndpoint = Boolean.getBoolean(ERROR_ENDPOINT);
    boolean crashEndpoint = Boolean.getBoolean(CRASH_ENDPOINT);
    boolean logRequests = Boolean.getBoolean(LOG_REQUESTS);
    boolean peersEndpoint = Boolean.getBoolean(PEERS_ENDPOINT);
    String instanceId = context.instanceId();
    // Everything a request needs exists before the port accepts.
    checker = Executors.newSingleThreadScheduledExecutor(named("hello-overload"));
    server.createContext(
        "/",
        exchange -> {
          inflight.incrementAndGet();
          try (Timer.Context ignored = requests.time()) {
            String path = exchange.getRequestURI().getPath();
            if (logRequests) {
              System.out.println(
                  "hello " + instanceId + ": " + exchange.getRequestMethod() + " " + path);
            }
            if ("/".equals(path)) {
              respond(exchange, 200, greeting);
            } else if ("/work".equals(path)) {
              // Holds the request like an I/O-bound handler would: latency without CPU.
              TimeUnit.MILLISECONDS.sleep(workMillis(exchange.getRequestURI().getQuery()));
              respond(exchange, 200, greeting);
            } else if ("/overload".equals(path) && overloadEndpoint) {
              context.reportOverload("asked to by GET /overload");
              respond(exchange, 202, "overload reported\n");
            } else if ("/crash".equals(path) && crashEndpoint) {
              Runtime.getRuntime().halt(3);
            } else if ("/peers".equals(path) && peersEndpoint) {
              respond(exchange, 200, peers(exchange.getRequestURI().getQuery()));
            } else if ("/error".equals(path) && errorEndpoint) {
              context.reportError(new IllegalStateException("asked to by GET /error"));
              respond(exchange, 202, "error reported\n");
            } else {
              respond(exchange, 404, "not found\n");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "stopping\n");
          } finally {
            inflight.decrementAndGet();
          }
        });
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
    checker.scheduleWithFixedDelay(this::checkOverload, 1, 1, TimeUnit.SECONDS);
    server.start();
    ready = true;
    System.out.println("hello " + context.instanceId() + " listening on port " + port);
  }

  private String peers(String query) {
    String service =
        query != null && query.startsWith("service=")
            ? query.substring("service=".length())
            : context.serviceName();
    StringBuilder out = new StringBuilder();
    context.endpoints(service).current().stream()
        .map(io.drover.sdk.Endpoint::instanceId)
        .sorted()
        .forEach(id -> out.append(id).append('\n'));
    return out.toString();
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void stop() throws InterruptedException {
    ready = false;
    checker.shutdownNow();
    // Callers were sent elsewhere while this instance drained: close at once.
    server.stop(0);
    workers.shutdown();
    workers.awaitTermination(1, TimeUnit.SECONDS);
    System.out.println("hello " + context.instanceId() + " stopped");
  }

  /** {@code ms=N} of /work, at most 10 s; 50 ms when absent or wrong. */
  static long workMillis(String query) {
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("ms=")) {
          try {
            return Math.max(0, Math.min(10_000, Long.parseLong(part.substring(3))));
          } catch (NumberFormatException e) {
            return 50;
          }
        }
      }
    }
    return 50;
  }

  /** Reports overload when a threshold is crossed, at most once per 5 seconds. */
  void checkOverload() {
    try {
      String reason = overloadReason();
      long now = System.nanoTime();
      if (reason != null && (!reported || now - lastReportNanos >= REPORT_INTERVAL_NANOS)) {
        reported = true;
        lastReportNanos = now;
        context.reportOverload(reason);
      }
    } catch (RuntimeException e) {
      context.reportError(e);
    }
  }

  /** Why the service is overloaded, or null. */
  String overloadReason() {
    int queued = workers.getQueue().size();
    if (queued > queueThreshold) {
      return "request queue " + queued + " > " + queueThreshold;
    }
    if (requests.getCount() > 0) {
      double p99Ms = requests.getSnapshot().get99thPercentile() / 1e6;
      if (p99Ms > p99ThresholdMs) {
        return String.format(
            Locale.ROOT,
            "p99 of requests over the last minute %.3f ms > %s ms",
            p99Ms,
            System.getProperty(P99_THRESHOLD_MS, "250"));
      }
    }
    return null;
  }

  private static void respond(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    java.util.concurrent.atomic.AtomicInteger count =
        new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
