package io.drover.cli.e2e;

import io.drover.discovery.EndpointWatch;
import io.drover.v1.Endpoint;
import io.drover.v1.ServiceEndpoints;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A caller of the example HelloService that finds it only through {@code WatchEndpoints}: it keeps
 * the latest set and sends GET /work, round robin, from several threads at once, each request on a
 * fresh TCP connection so that "sent" has one meaning.
 *
 * <p>A connection that is refused carried no request: like gRPC's transparent retry, the request
 * goes to the next endpoint, and is not a failure. A request that was sent and did not come back as
 * "hello from INSTANCE" is a failure, recorded with the instance it went to.
 */
final class DiscoveringClient implements AutoCloseable {
  /** A request that was sent and failed. */
  record Failure(Instant at, String instanceId, String what) {}

  private final ManagedChannel controller;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private final EndpointWatch watch;
  private final ExecutorService workers;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger next = new AtomicInteger();
  private volatile List<Endpoint> endpoints = List.of();
  private final List<ServiceEndpoints> sets = new CopyOnWriteArrayList<>();
  private final List<Instant> setTimes = new CopyOnWriteArrayList<>();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Map<String, AtomicLong> servedBy = new ConcurrentHashMap<>();

  DiscoveringClient(String controllerAddress, String service, int threads) {
    controller = NettyChannelBuilder.forTarget(controllerAddress).usePlaintext().build();
    watch =
        EndpointWatch.start(
            controller,
            service,
            retries,
            set -> {
              setTimes.add(Instant.now());
              sets.add(set);
              endpoints = set.getEndpointsList();
            });
    workers = Executors.newFixedThreadPool(threads);
    for (int i = 0; i < threads; i++) {
      workers.execute(this::sendUntilClosed);
    }
  }

  List<Endpoint> endpoints() {
    return endpoints;
  }

  List<String> instanceIds() {
    return endpoints.stream().map(Endpoint::getInstanceId).sorted().toList();
  }

  /** Every set received, oldest first. */
  List<ServiceEndpoints> sets() {
    return List.copyOf(sets);
  }

  /**
   * When each set arrived and what it held, to explain a failure: the instance ids of each set,
   * with the controller's time of the change and the time it arrived here.
   */
  String history() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sets.size(); i++) {
      ServiceEndpoints set = sets.get(i);
      out.append("\n  changed ")
          .append(Instant.ofEpochMilli(set.getChangedAtMs()))
          .append(", arrived ")
          .append(setTimes.get(i))
          .append(": ")
          .append(set.getEndpointsList().stream().map(Endpoint::getInstanceId).toList());
    }
    return out.toString();
  }

  List<Failure> failures() {
    return List.copyOf(failures);
  }

  long succeeded() {
    return succeeded.get();
  }

  /** Connections refused (no request sent; the request went to another endpoint). */
  long refused() {
    return refused.get();
  }

  long servedBy(String instanceId) {
    AtomicLong count = servedBy.get(instanceId);
    return count == null ? 0 : count.get();
  }

  private void sendUntilClosed() {
    while (running.get()) {
      List<Endpoint> now = endpoints;
      if (now.isEmpty()) {
        pause();
        continue;
      }
      boolean sent = false;
      for (int attempt = 0; attempt < now.size() && !sent && running.get(); attempt++) {
        Endpoint target = now.get(Math.floorMod(next.getAndIncrement(), now.size()));
        sent = send(target);
      }
      if (!sent) {
        pause();
      }
    }
  }

  /**
   * @return false if the connection was refused (nothing was sent)
   */
  private boolean send(Endpoint target) {
    int port = target.getPortsOrDefault("http", target.getPort());
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress(target.getAddress(), port), 1000);
      } catch (ConnectException refusedNow) {
        refused.incrementAndGet();
        return false;
      }
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /work?ms=20 HTTP/1.0\r\nHost: "
                  + target.getAddress()
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String expected = "hello from " + target.getInstanceId() + "\n";
      if (response.startsWith("HTTP/1.1 200") && response.endsWith(expected)) {
        succeeded.incrementAndGet();
        servedBy.computeIfAbsent(target.getInstanceId(), i -> new AtomicLong()).incrementAndGet();
      } else {
        String firstLine = response.lines().findFirst().orElse("(no answer)");
        failures.add(new Failure(Instant.now(), target.getInstanceId(), firstLine));
      }
    } catch (IOException e) {
      failures.add(new Failure(Instant.now(), target.getInstanceId(), e.toString()));
    }
    return true;
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    workers.shutdown();
    workers.awaitTermination(10, TimeUnit.SECONDS);
    watch.close();
    retries.shutdownNow();
    controller.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    List<String> counts = new ArrayList<>();
    servedBy.forEach((id, n) -> counts.add(id + "=" + n));
    return "succeeded "
        + succeeded
        + ", refused "
        + refused
        + ", failed "
        + failures.size()
        + " "
        + failures
        + ", served by "
        + counts;
  }
}
