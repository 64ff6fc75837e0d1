package io.drover.bench.swarm;

import io.drover.v1.ControlGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real controller as a process of its own, started from the packaged CLI jar as {@code drover
 * controller} (plaintext, on loopback), so that its CPU and heap can be measured apart from the
 * simulator's. This is the one place the scenario benchmarks start a controller.
 */
public final class ControllerProcess implements AutoCloseable {
  /** The launcher's controller flags (bin/drover), with a heap large enough for a million. */
  static final String DEFAULT_JVM_FLAGS = "-XX:+UseSerialGC -Xmx4g";

  private final Process process;
  private final Path log;
  private final int grpcPort;
  private final int httpPort;
  private final ManagedChannel channel;

  private ControllerProcess(Process process, Path log, int grpcPort, int httpPort) {
    this.process = process;
    this.log = log;
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
  }

  /**
   * Starts {@code drover controller} with its state in {@code dir} and the catalog file, and waits
   * until it answers on its gRPC port.
   *
   * @param settings further {@code DROVER_*} variables (telemetry interval, liveness)
   * @param jvmFlags the controller JVM's flags; the system property {@code
   *     drover.bench.controllerJvm} overrides {@link #DEFAULT_JVM_FLAGS} when this is null
   */
  public static ControllerProcess start(
      Path cliJar, Path dir, Path catalog, Map<String, String> settings, String jvmFlags)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalStateException(
          cliJar + " is missing: run ./mvnw -pl bench -am package -DskipTests first");
    }
    int grpcPort = freePort();
    int httpPort = freePort();
    Path log = dir.resolve("controller.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String flags =
        jvmFlags != null
            ? jvmFlags
            : System.getProperty("drover.bench.controllerJvm", DEFAULT_JVM_FLAGS);
    command.addAll(Arrays.asList(flags.trim().split("\\s+")));
    command.addAll(List.of("-cp", cliJar.toString(), "io.drover.cli.DroverCommand", "controller"));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("DROVER_"));
    Map<String, String> all = new HashMap<>();
    all.put("DROVER_LISTEN", "127.0.0.1:" + grpcPort);
    all.put("DROVER_HTTP_LISTEN", "127.0.0.1:" + httpPort);
    all.put("DROVER_DATA_DIR", dir.resolve("controller").toString());
    all.put("DROVER_CATALOG_FILE", catalog.toString());
    // Placement benchmarks reuse ports at once; quarantine is not what they measure.
    all.put("DROVER_PORTS_QUARANTINE", "1s");
    // Loopback and plaintext, as dev mode runs: the simulator's thousands of agents would need a
    // certificate each, and the handshake cost is per connection, not per message.
    all.put("DROVER_TLS_MODE", "off");
    all.put("DROVER_AUTH_ENABLED", "false");
    all.put("DROVER_ARTIFACTS_REQUIRE_SHA256", "false");
    all.putAll(settings);
    env.putAll(all);
    Process process = builder.start();
    ControllerProcess controller = new ControllerProcess(process, log, grpcPort, httpPort);
    try {
      controller.awaitServing(Duration.ofSeconds(60));
    } catch (RuntimeException | InterruptedException e) {
      controller.close();
      throw e;
    }
    return controller;
  }

  private void awaitServing(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the controller exited: " + tail());
      }
      try {
        control().getCluster(io.drover.v1.GetClusterRequest.getDefaultInstance());
        return;
      } catch (RuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the controller did not serve in time: " + tail());
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  public int grpcPort() {
    return grpcPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /**
   * One series of the controller's {@code /metrics} (Prometheus text), summed over its labels; 0
   * when it is not there.
   */
  public double metric(String name) throws IOException, InterruptedException {
    java.net.http.HttpResponse<String> response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    for (String line : response.body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  public long pid() {
    return process.pid();
  }

  /** A Control stub with a 30 s deadline (listings of a million instances take a while). */
  public ControlGrpc.ControlBlockingStub control() {
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** CPU time (user + system) the controller has used so far, in nanoseconds. */
  public long cpuNanos() {
    return ProcStat.cpuNanos(process.pid());
  }

  /** Resident set size now, in bytes. */
  public long rssBytes() {
    return ProcStat.rssBytes(process.pid());
  }

  /**
   * Live heap after a full collection, in bytes: {@code jcmd GC.run}, then the used columns of
   * {@code jstat -gc} (survivors, eden, old).
   */
  public long heapAfterGc() throws IOException, InterruptedException {
    run("jcmd", Long.toString(process.pid()), "GC.run");
    String[] lines = run("jstat", "-gc", Long.toString(process.pid())).strip().split("\n");
    String[] names = lines[0].trim().split("\\s+");
    String[] values = lines[lines.length - 1].trim().split("\\s+");
    double kib = 0;
    for (int i = 0; i < names.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
        kib += Double.parseDouble(values[i]);
      }
    }
    return (long) (kib * 1024);
  }

  /** The controller's heap by class ({@code jcmd GC.class_histogram}), to see what holds it. */
  public String classHistogram() throws IOException, InterruptedException {
    return run("jcmd", Long.toString(process.pid()), "GC.class_histogram");
  }

  /** Records a JFR file of the controller from now on; it is written when the process ends. */
  public void startFlightRecording(Path file) throws IOException, InterruptedException {
    run(
        "jcmd",
        Long.toString(process.pid()),
        "JFR.start",
        "name=bench",
        "settings=profile",
        "filename=" + file);
  }

  public void dumpFlightRecording(Path file) throws IOException, InterruptedException {
    run("jcmd", Long.toString(process.pid()), "JFR.dump", "name=bench", "filename=" + file);
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", command[0]);
    String[] full = command.clone();
    if (Files.isExecutable(java)) {
      full[0] = java.toString();
    }
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** The last lines of the controller's log, for error messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
