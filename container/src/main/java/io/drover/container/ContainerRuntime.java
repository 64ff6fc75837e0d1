package io.drover.container;

import com.codahale.metrics.MetricRegistry;
import io.drover.common.retry.Backoff;
import io.drover.sdk.MicroService;
import io.drover.v1.AttachAccepted;
import io.drover.v1.AttachRequest;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerState;
import io.drover.v1.ContainerStateChange;
import io.drover.v1.ErrorReport;
import io.drover.v1.OverloadReport;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.grpc.Status;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The life of a container JVM: attach, wait IDLE (warm), load one service when assigned (LOADING,
 * RUNNING), stop it when released or terminated (STOPPING), exit. The state and every change of it
 * are guarded by one lock, shared with the link, so that the agent sees the changes in order.
 */
final class ContainerRuntime implements AgentLink.Listener {
  static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
  static final int DEFAULT_METRICS_INTERVAL_MS = 1000;
  static final int MIN_METRICS_INTERVAL_MS = 100;
  static final int MAX_SERVICE_METRICS = 1000;

  /** Time the last messages get to reach the agent before the process exits. */
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(1);

  private final java.util.concurrent.CountDownLatch startReturned =
      new java.util.concurrent.CountDownLatch(1);
  private final ContainerConfig config;
  private final ControllerDiscovery discovery;
  private final Object lock = new Object();
  private final AgentLink link;
  private final ScheduledExecutorService timer;
  private final MetricRegistry metrics = new MetricRegistry();
  private final MetricsFlattener flattener = new MetricsFlattener(MAX_SERVICE_METRICS);
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ServiceLauncher launcher;
  private final long pid = ProcessHandle.current().pid();
  private final AtomicBoolean exiting = new AtomicBoolean();

  // Guarded by lock.
  private ContainerState state = ContainerState.CONTAINER_STATE_IDLE;
  private ServiceAssignment assignment;
  private long assignedAtNanos;
  private MicroService service;
  private URLClassLoader serviceLoader;
  private ScheduledFuture<?> metricsTask;
  private int metricsIntervalMs;

  ContainerRuntime(ContainerConfig config) {
    this.config = config;
    this.link =
        new AgentLink(
            config.agentLink(),
            lock,
            this,
            Backoff.withJitter(Duration.ofMillis(100), Duration.ofSeconds(2)),
            config.attachTimeout());
    this.discovery = new ControllerDiscovery(link.channel());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-container-timer");
              t.setDaemon(true);
              return t;
            });
    this.launcher = new ServiceLauncher(ContainerRuntime.class.getClassLoader(), true);
  }

  void start() {
    RuntimeLog.info(
        "container "
            + config.containerId()
            + " (pid "
            + pid
            + ", "
            + (config.cold() ? "cold, port " + config.coldPort() : "warm")
            + ") attaching to the agent at "
            + config.agentLink());
    Runtime.getRuntime().addShutdownHook(new Thread(this::onShutdown, "drover-shutdown"));
    if (!Signals.onTerminate(this::onTerminateSignal, () -> Exit.halt(128 + 15))) {
      RuntimeLog.info("cannot handle SIGTERM directly; relying on the shutdown hook");
    }
    link.start();
    if (config.warmup()) {
      Thread warm = new Thread(() -> new Warmup().run(), "drover-warmup");
      warm.setDaemon(true);
      warm.setPriority(Thread.MIN_PRIORITY);
      warm.start();
    }
  }

  ContainerState state() {
    synchronized (lock) {
      return state;
    }
  }

  // ---- the agent's side, on the link thread ----

  @Override
  public AttachRequest attachRequest() {
    synchronized (lock) {
      return AttachRequest.newBuilder()
          .setContainerId(config.containerId())
          .setSecret(config.secret())
          .setPid(pid)
          .setState(state)
          .setInstanceId(assignment == null ? "" : assignment.getInstanceId())
          .build();
    }
  }

  @Override
  public void onAccepted(AttachAccepted accepted) {
    int interval =
        accepted.getMetricsIntervalMs() == 0
            ? DEFAULT_METRICS_INTERVAL_MS
            : Math.max(MIN_METRICS_INTERVAL_MS, accepted.getMetricsIntervalMs());
    synchronized (lock) {
      if (metricsTask != null && interval == metricsIntervalMs) {
        return;
      }
      if (metricsTask != null) {
        metricsTask.cancel(false);
      }
      metricsIntervalMs = interval;
      metricsTask =
          timer.scheduleAtFixedRate(this::sendMetrics, interval, interval, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void onAssign(ServiceAssignment next) {
    ServiceContextImpl context;
    synchronized (lock) {
      if (assignment != null && assignment.getInstanceId().equals(next.getInstanceId())) {
        RuntimeLog.fine("assignment of instance " + next.getInstanceId() + " replayed; ignored");
        return;
      }
      if (state != ContainerState.CONTAINER_STATE_IDLE || exiting.get()) {
        RuntimeLog.warning(
            "ignoring the assignment of "
                + next.getService()
                + " (instance "
                + next.getInstanceId()
                + "): the container is "
                + name(state)
                + (assignment == null ? "" : " with instance " + assignment.getInstanceId()));
        return;
      }
      assignment = next;
      assignedAtNanos = System.nanoTime();
      transition(ContainerState.CONTAINER_STATE_LOADING, "");
      context =
          new ServiceContextImpl(
              next, metrics, new Reports(next.getInstanceId()), discovery::endpoints);
    }
    launcher.launch(next, context, new LaunchCallbacks());
    RuntimeLog.info(
        "loading "
            + next.getService()
            + " (instance "
            + next.getInstanceId()
            + ", entry "
            + next.getEntry()
            + ", ports "
            + ports(next)
            + ") from "
            + next.getLocalPath());
    long timeoutMs =
        next.getStartTimeoutMs() > 0 ? next.getStartTimeoutMs() : DEFAULT_START_TIMEOUT.toMillis();
    timer.schedule(new StartTimeout(timeoutMs), timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onRelease(ReleaseContainer release) {
    stop(
        "released by the agent",
        release.getGracePeriodMs() > 0 ? release.getGracePeriodMs() : defaultGraceMillis(),
        Exit.OK);
  }

  @Override
  public void onRefused(Status status) {
    String why =
        "the agent at "
            + config.agentLink()
            + " refused the attach of container "
            + config.containerId()
            + " ("
            + status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription())
            + "); check DROVER_CONTAINER_ID and DROVER_CONTAINER_SECRET";
    RuntimeLog.severe(why + "; exiting with code " + Exit.UNAUTHENTICATED);
    stop("attach refused", defaultGraceMillis(), Exit.UNAUTHENTICATED);
  }

  @Override
  public void onAttachTimeout(Duration unattachedFor) {
    synchronized (lock) {
      if (state != ContainerState.CONTAINER_STATE_IDLE) {
        // A service is loaded: it keeps serving, and the link keeps trying.
        return;
      }
    }
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    RuntimeLog.severe(
        "no agent accepted this IDLE container within "
            + unattachedFor.toMillis()
            + " ms (DROVER_ATTACH_TIMEOUT "
            + config.attachTimeout().toMillis()
            + " ms); exiting with code "
            + Exit.ATTACH_TIMEOUT
            + " so that no orphan stays behind");
    link.close();
    Exit.exit(Exit.ATTACH_TIMEOUT, 1000);
  }

  // ---- the service's side ----

  /** Fails a start that is not ready in time; a class rather than a lambda, loaded by warm-up. */
  final class StartTimeout implements Runnable {
    private final long timeoutMs;

    StartTimeout(long timeoutMs) {
      this.timeoutMs = timeoutMs;
    }

    @Override
    public void run() {
      failStart(
          new java.util.concurrent.TimeoutException(
              "the service was not ready within " + timeoutMs + " ms"));
    }
  }

  private final class LaunchCallbacks implements ServiceLauncher.Callbacks {
    @Override
    public boolean loading() {
      synchronized (lock) {
        return state == ContainerState.CONTAINER_STATE_LOADING;
      }
    }

    @Override
    public void startReturned() {
      startReturned.countDown();
    }

    @Override
    public void loaded(URLClassLoader loader, MicroService instance) {
      synchronized (lock) {
        serviceLoader = loader;
        service = instance;
      }
    }

    @Override
    public void ready(String phases) {
      long tookMicros;
      ServiceAssignment running;
      synchronized (lock) {
        if (state != ContainerState.CONTAINER_STATE_LOADING) {
          return;
        }
        transition(ContainerState.CONTAINER_STATE_RUNNING, "");
        tookMicros = (System.nanoTime() - assignedAtNanos) / 1000;
        running = assignment;
      }
      RuntimeLog.info(
          running.getService()
              + " (instance "
              + running.getInstanceId()
              + ") RUNNING, ready "
              + tookMicros / 1000
              + "."
              + String.format("%03d", tookMicros % 1000)
              + " ms after the assignment (since the service thread began: "
              + phases
              + ")");
    }

    @Override
    public void failed(Throwable cause) {
      failStart(cause);
    }

    @Override
    public void mainFailed(Throwable cause) {
      RuntimeLog.warning("the service's main thread ended with an exception", cause);
      new Reports(instanceId()).error(ServiceContextImpl.describe(cause));
    }
  }

  private void failStart(Throwable cause) {
    String reason = ServiceContextImpl.oneLine(ServiceContextImpl.describe(cause));
    ServiceAssignment failed;
    synchronized (lock) {
      if (state != ContainerState.CONTAINER_STATE_LOADING || !exiting.compareAndSet(false, true)) {
        return;
      }
      transition(ContainerState.CONTAINER_STATE_FAILED, reason);
      failed = assignment;
    }
    RuntimeLog.severe(
        failed.getService()
            + " (instance "
            + failed.getInstanceId()
            + ") FAILED: "
            + reason
            + "; exiting with code "
            + Exit.SERVICE_FAILED,
        cause);
    Thread exit =
        new Thread(
            () -> {
              link.finish(FLUSH_TIMEOUT);
              Exit.exit(Exit.SERVICE_FAILED, 2000);
            },
            "drover-exit");
    exit.start();
  }

  // ---- stopping ----

  private void onTerminateSignal() {
    stop("SIGTERM", defaultGraceMillis(), Exit.OK);
  }

  /** The JVM is exiting without going through {@link #stop}: System.exit, SIGINT, SIGHUP. */
  private void onShutdown() {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    RuntimeLog.info("JVM shutting down");
    stopService("JVM shutdown", defaultGraceMillis());
    link.finish(Duration.ofMillis(200));
  }

  /** Stops the service within {@code graceMillis} on a thread of its own, then exits. */
  private void stop(String why, long graceMillis, int exitCode) {
    if (!exiting.compareAndSet(false, true)) {
      RuntimeLog.fine("already stopping; " + why + " ignored");
      return;
    }
    Thread stopper =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
              stopService(why, graceMillis);
              discovery.close();
              link.finish(
                  Duration.ofMillis(Math.min(FLUSH_TIMEOUT.toMillis(), millisLeft(deadline))));
              // A plain main's shutdown hooks get what is left of the grace period.
              Exit.exit(exitCode, millisLeft(deadline));
            },
            "drover-stop");
    stopper.start();
  }

  /** STOPPING, then MicroService.stop() with the grace period as limit; halts past it. */
  private void stopService(String why, long graceMillis) {
    MicroService toStop;
    ClassLoader loader;
    ContainerState before;
    synchronized (lock) {
      before = state;
      if (state != ContainerState.CONTAINER_STATE_FAILED) {
        transition(ContainerState.CONTAINER_STATE_STOPPING, why);
      }
      toStop = service;
      loader = serviceLoader;
      if (metricsTask != null) {
        metricsTask.cancel(false);
      }
    }
    RuntimeLog.info(
        "stopping (" + why + ", was " + name(before) + "), grace period " + graceMillis + " ms");
    if (toStop == null) {
      return;
    }
    long started = System.nanoTime();
    try {
      // A release can arrive while start() still runs (its port may already accept): stop()
      // waits for it, so that the service never sees the two overlap.
      if (!startReturned.await(Math.max(1, graceMillis / 2), TimeUnit.MILLISECONDS)) {
        RuntimeLog.warning("start() still runs after half the grace period; stopping anyway", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Throwable[] error = new Throwable[1];
    Thread stopThread =
        new Thread(
            () -> {
              try {
                toStop.stop();
              } catch (Throwable t) {
                error[0] = t;
              }
            },
            "service-stop");
    stopThread.setContextClassLoader(loader);
    stopThread.setDaemon(true);
    stopThread.start();
    try {
      stopThread.join(Math.max(1, graceMillis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (stopThread.isAlive()) {
      RuntimeLog.severe(
          "the service did not stop within its grace period of "
              + graceMillis
              + " ms; halting with code "
              + Exit.STOP_TIMEOUT);
      link.finish(Duration.ofMillis(100));
      Exit.halt(Exit.STOP_TIMEOUT);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    if (error[0] != null) {
      RuntimeLog.warning("the service's stop() failed after " + tookMillis + " ms", error[0]);
    } else {
      RuntimeLog.info("service stopped in " + tookMillis + " ms");
    }
  }

  /** Milliseconds until {@code deadline} (System.nanoTime), at least 100. */
  private static long millisLeft(long deadline) {
    return Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private long defaultGraceMillis() {
    synchronized (lock) {
      return assignment != null && assignment.getGracePeriodMs() > 0
          ? assignment.getGracePeriodMs()
          : DEFAULT_GRACE.toMillis();
    }
  }

  // ---- sending ----

  /** Changes the state and tells the agent; under the lock, so that changes keep their order. */
  private void transition(ContainerState next, String reason) {
    state = next;
    link.sendStateChange(
        ContainerMessage.newBuilder()
            .setStateChange(ContainerStateChange.newBuilder().setState(next).setReason(reason))
            .build());
  }

  private void sendMetrics() {
    try {
      MemoryUsage heap = memory.getHeapMemoryUsage();
      link.sendMetrics(
          ContainerMetrics.newBuilder()
              .setContainerId(config.containerId())
              .setHeapUsedBytes(heap.getUsed())
              .setHeapMaxBytes(Math.max(0, heap.getMax()))
              .putAllServiceMetrics(flattener.flatten(metrics))
              .build());
    } catch (RuntimeException | LinkageError e) {
      // A failed sample must not end the schedule (an exception would cancel it silently).
      RuntimeLog.warning("metrics sample failed", e);
    }
  }

  private String instanceId() {
    synchronized (lock) {
      return assignment == null ? "" : assignment.getInstanceId();
    }
  }

  /** The service's reports, through the link; never blocks. */
  private final class Reports implements ServiceContextImpl.Reports {
    private final String instanceId;

    Reports(String instanceId) {
      this.instanceId = instanceId;
    }

    @Override
    public void overload(String reason) {
      link.sendReport(
          ContainerMessage.newBuilder()
              .setOverload(
                  OverloadReport.newBuilder()
                      .setContainerId(config.containerId())
                      .setInstanceId(instanceId)
                      .setReason(reason)
                      .setReportedAtMs(System.currentTimeMillis()))
              .build());
    }

    @Override
    public void error(String error) {
      link.sendReport(
          ContainerMessage.newBuilder()
              .setError(
                  ErrorReport.newBuilder()
                      .setContainerId(config.containerId())
                      .setInstanceId(instanceId)
                      .setError(error)
                      .setReportedAtMs(System.currentTimeMillis()))
              .build());
    }
  }

  static String ports(ServiceAssignment a) {
    StringBuilder out = new StringBuilder("[");
    for (io.drover.v1.PortBinding p : a.getPortsList()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append(p.getName().isEmpty() ? "" : p.getName() + "=").append(p.getPort());
    }
    return out.append(']').toString();
  }

  static String name(ContainerState state) {
    return state.name().replace("CONTAINER_STATE_", "");
  }
}
