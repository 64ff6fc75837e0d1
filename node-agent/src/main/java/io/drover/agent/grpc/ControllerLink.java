package io.drover.agent.grpc;

import io.drover.agent.logs.LogStreams;
import io.drover.agent.telemetry.TelemetrySampler;
import io.drover.common.Version;
import io.drover.common.grpc.OutboundStream;
import io.drover.common.net.HostPort;
import io.drover.common.retry.Backoff;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerMetrics;
import io.drover.v1.ControllerMessage;
import io.drover.v1.Hello;
import io.drover.v1.LogData;
import io.drover.v1.LogEnd;
import io.drover.v1.OpenLog;
import io.drover.v1.Telemetry;
import io.drover.v1.Welcome;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of {@code AgentGateway.Connect}: opens the stream, says hello, sends telemetry at
 * the interval the controller asks for, and reconnects forever with jittered backoff when the
 * stream ends. Every decision runs on one scheduler thread; gRPC callbacks only hand work to it.
 */
public final class ControllerLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerLink.class);

  /** Enough for a burst of container events; a peer this far behind is better resynchronised. */
  private static final int OUTBOUND_CAPACITY = 1024;

  /** The heartbeat when the welcome names no interval. */
  static final long DEFAULT_TELEMETRY_INTERVAL_MS = 1000;

  /** The shortest heartbeat the agent keeps; the controller may ask for it. */
  static final long MIN_TELEMETRY_INTERVAL_MS = 100;

  private final HostPort controller;
  private final ManagedChannel channel;
  private final AgentGatewayGrpc.AgentGatewayStub stub;
  private final Supplier<Hello> hello;
  private final TelemetrySampler sampler;
  private final Supplier<List<ContainerMetrics>> containerMetrics;
  private final Function<Command, CompletableFuture<CommandResult>> commands;
  private final Consumer<Welcome> welcomed;
  private final LogStreams logs;
  private final Backoff backoff;
  private final ScheduledExecutorService scheduler;

  // Owned by the scheduler thread.
  private Session current;
  private long highestEpoch;
  private boolean closed;
  private volatile LinkStatus status = new LinkStatus(false, 0, Instant.now(), "");

  /**
   * @param hello builds the hello for each new stream (inventory and containers as they are now)
   * @param welcomed told of each welcome, on the link's thread, once the session is open: reports
   *     sent from it go out on the new session
   * @param logs serves the controller's requests for instance logs; its streams end with the
   *     session that asked for them
   */
  public ControllerLink(
      HostPort controller,
      Supplier<Hello> hello,
      TelemetrySampler sampler,
      Supplier<List<ContainerMetrics>> containerMetrics,
      Function<Command, CompletableFuture<CommandResult>> commands,
      Consumer<Welcome> welcomed,
      LogStreams logs,
      Duration initialBackoff,
      Duration maxBackoff) {
    this(
        controller,
        Optional.empty(),
        hello,
        sampler,
        containerMetrics,
        commands,
        welcomed,
        logs,
        initialBackoff,
        maxBackoff);
  }

  /**
   * As above, over mutual TLS when {@code tls} is given: the controller must present a certificate
   * of the pinned CA before anything, commands included, is read from it.
   */
  public ControllerLink(
      HostPort controller,
      Optional<NodeTls> tls,
      Supplier<Hello> hello,
      TelemetrySampler sampler,
      Supplier<List<ContainerMetrics>> containerMetrics,
      Function<Command, CompletableFuture<CommandResult>> commands,
      Consumer<Welcome> welcomed,
      LogStreams logs,
      Duration initialBackoff,
      Duration maxBackoff) {
    this(
        controller,
        transport(controller, tls)
            // Telemetry flows every second, but pings also find a dead peer when it does not.
            .keepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTimeout(5, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .maxInboundMessageSize(16 << 20)
            .userAgent("drover-agent/" + Version.current())
            .build(),
        hello,
        sampler,
        containerMetrics,
        commands,
        welcomed,
        logs,
        Backoff.withJitter(initialBackoff, maxBackoff));
  }

  private static NettyChannelBuilder transport(HostPort controller, Optional<NodeTls> tls) {
    return tls.isPresent()
        ? tls.get().channelTo(controller)
        : NettyChannelBuilder.forAddress(controller.host(), controller.port()).usePlaintext();
  }

  private ControllerLink(
      HostPort controller,
      ManagedChannel channel,
      Supplier<Hello> hello,
      TelemetrySampler sampler,
      Supplier<List<ContainerMetrics>> containerMetrics,
      Function<Command, CompletableFuture<CommandResult>> commands,
      Consumer<Welcome> welcomed,
      LogStreams logs,
      Backoff backoff) {
    this.controller = controller;
    this.channel = channel;
    this.stub = AgentGatewayGrpc.newStub(channel);
    this.hello = hello;
    this.sampler = sampler;
    this.containerMetrics = containerMetrics;
    this.commands = commands;
    this.welcomed = welcomed;
    this.logs = logs;
    this.backoff = backoff;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "drover-controller-link");
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    scheduler.execute(this::connect);
  }

  public LinkStatus status() {
    return status;
  }

  private void connect() {
    if (closed) {
      return;
    }
    // The channel keeps its own reconnect backoff (up to minutes); ours decides when to retry.
    channel.resetConnectBackoff();
    Session session = new Session();
    current = session;
    log.debug("connecting to the controller at {}", controller);
    Hello greeting = hello.get().toBuilder().setLastEpoch(highestEpoch).build();
    stub.connect(session);
    session.out.send(AgentMessage.newBuilder().setHello(greeting).build());
  }

  private void onWelcome(Session session, Welcome welcome) {
    if (session != current || closed) {
      return;
    }
    session.epoch = welcome.getSessionEpoch();
    highestEpoch = Math.max(highestEpoch, session.epoch);
    backoff.reset();
    status = new LinkStatus(true, session.epoch, Instant.now(), status.lastError());
    long interval = telemetryInterval(welcome);
    log.info(
        "connected to the controller at {} as node {}, session epoch {}, telemetry every {} ms",
        controller,
        welcome.getNodeId(),
        session.epoch,
        interval);
    session.telemetry =
        scheduler.scheduleAtFixedRate(
            () -> sendTelemetry(session), 0, interval, TimeUnit.MILLISECONDS);
    try {
      welcomed.accept(welcome);
    } catch (RuntimeException e) {
      log.error("handling the welcome failed", e);
    }
  }

  /**
   * The heartbeat the controller asks for: any interval down to 100 ms (it is the controller's
   * failure detector that decides how fast), 1 s when it names none.
   */
  static long telemetryInterval(Welcome welcome) {
    long asked = welcome.getTelemetryIntervalMs();
    return asked == 0 ? DEFAULT_TELEMETRY_INTERVAL_MS : Math.max(MIN_TELEMETRY_INTERVAL_MS, asked);
  }

  private void sendTelemetry(Session session) {
    if (session.ended.get()) {
      return;
    }
    try {
      Telemetry telemetry =
          Telemetry.newBuilder()
              .setSampledAtMs(System.currentTimeMillis())
              .setSequence(++session.sequence)
              .setNode(sampler.sample())
              .addAllContainers(containerMetrics.get())
              .build();
      session.out.sendLatest(
          AgentMessage.newBuilder().setSessionEpoch(session.epoch).setTelemetry(telemetry).build());
    } catch (RuntimeException e) {
      // A failed probe must not stop the heartbeat schedule.
      log.warn("telemetry sample failed", e);
    }
  }

  private void onCommand(Session session, long epoch, Command command) {
    if (epoch != session.epoch) {
      // Fencing: a command of another session (an older controller view) must not run.
      session.out.send(
          AgentMessage.newBuilder()
              .setSessionEpoch(session.epoch)
              .setCommandResult(
                  CommandResult.newBuilder()
                      .setCommandId(command.getCommandId())
                      .setOk(false)
                      .setError(
                          "refused: command of session epoch "
                              + epoch
                              + ", current is "
                              + session.epoch))
              .build());
      return;
    }
    commands
        .apply(command)
        .whenComplete(
            (result, error) ->
                onLinkThread(
                    () -> {
                      CommandResult answer =
                          error == null
                              ? result
                              : CommandResult.newBuilder()
                                  .setCommandId(command.getCommandId())
                                  .setOk(false)
                                  .setError(String.valueOf(error.getMessage()))
                                  .build();
                      send(session, AgentMessage.newBuilder().setCommandResult(answer));
                    }));
  }

  /**
   * Starts reading an instance's log for the controller; its chunks go out on the session that
   * asked, and never on a later one.
   */
  private void onOpenLog(Session session, long epoch, OpenLog request) {
    if (session != current || session.ended.get()) {
      return;
    }
    if (epoch != session.epoch) {
      send(
          session,
          AgentMessage.newBuilder()
              .setLogData(
                  LogData.newBuilder()
                      .setStreamId(request.getStreamId())
                      .setEnd(
                          LogEnd.newBuilder()
                              .setReason(LogEnd.Reason.REASON_FAILED)
                              .setMessage(
                                  "refused: open_log of session epoch "
                                      + epoch
                                      + ", current is "
                                      + session.epoch))));
      return;
    }
    logs.open(
        request,
        data -> onLinkThread(() -> send(session, AgentMessage.newBuilder().setLogData(data))));
  }

  /**
   * Sends a report (container event, overload, error) on the current session. Without a session it
   * is dropped: the next hello carries the whole state again.
   */
  public void report(AgentMessage.Builder message) {
    onLinkThread(
        () -> {
          Session session = current;
          if (session != null && session.epoch > 0) {
            send(session, message);
          }
        });
  }

  private void send(Session session, AgentMessage.Builder message) {
    if (session != current || session.ended.get()) {
      return;
    }
    if (!session.out.send(message.setSessionEpoch(session.epoch).build())) {
      // The controller reads too slowly to keep up; start over with a fresh hello.
      log.warn("the controller fell behind this agent's reports; reconnecting to resynchronise");
      session.out.fail(Status.RESOURCE_EXHAUSTED.withDescription("agent outbound queue full"));
      session.end(Status.RESOURCE_EXHAUSTED.withDescription("outbound queue full"));
    }
  }

  /** The channel to the controller, for other services on it (artifact downloads). */
  public ManagedChannel channel() {
    return channel;
  }

  private void onEnded(Session session, Status reason) {
    if (session != current || closed) {
      return;
    }
    current = null;
    if (session.telemetry != null) {
      session.telemetry.cancel(false);
    }
    // Their stream ids belong to the session that ended; a new session asks again.
    logs.cancelAll();
    String why = describe(reason);
    Duration delay = backoff.nextDelay();
    boolean wasConnected = status.connected();
    // Since: when the link was lost, not the latest failed attempt to get it back.
    status =
        new LinkStatus(
            false, status.sessionEpoch(), wasConnected ? Instant.now() : status.since(), why);
    if (wasConnected || backoff.failures() == 1) {
      log.warn(
          "lost the controller at {} ({}); reconnecting in {} ms",
          controller,
          why,
          delay.toMillis());
    } else {
      log.info(
          "controller at {} still unreachable ({}); attempt {} in {} ms",
          controller,
          why,
          backoff.failures(),
          delay.toMillis());
    }
    scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Hands work from a gRPC callback to the link's thread; after close() there is none. */
  private void onLinkThread(Runnable work) {
    try {
      scheduler.execute(work);
    } catch (RejectedExecutionException closedAlready) {
      log.debug("link closed; dropping {}", work);
    }
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    return status.getCode() + (description == null ? "" : ": " + description);
  }

  @Override
  public void close() {
    try {
      scheduler
          .submit(
              () -> {
                closed = true;
                logs.cancelAll();
                Session session = current;
                current = null;
                if (session != null) {
                  if (session.telemetry != null) {
                    session.telemetry.cancel(false);
                  }
                  session.out.complete();
                }
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing the link", e);
    }
    scheduler.shutdownNow();
    channel.shutdown();
    try {
      if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.shutdownNow();
    }
  }

  /** One stream: created on the scheduler thread, fed by gRPC callbacks that only hand off. */
  private final class Session implements ClientResponseObserver<AgentMessage, ControllerMessage> {
    final AtomicBoolean ended = new AtomicBoolean();
    OutboundStream<AgentMessage> out;
    ScheduledFuture<?> telemetry;
    volatile long epoch;
    long sequence;

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
      // Writing must wait until the call has started; connect() sends the hello then.
      out = OutboundStream.attach(requestStream, OUTBOUND_CAPACITY);
    }

    @Override
    public void onNext(ControllerMessage message) {
      switch (message.getBodyCase()) {
        case WELCOME -> onLinkThread(() -> onWelcome(this, message.getWelcome()));
        case COMMAND ->
            onLinkThread(() -> onCommand(this, message.getSessionEpoch(), message.getCommand()));
        case COMMANDS ->
            onLinkThread(
                () -> {
                  for (Command command : message.getCommands().getCommandsList()) {
                    onCommand(this, message.getSessionEpoch(), command);
                  }
                });
        case OPEN_LOG ->
            onLinkThread(() -> onOpenLog(this, message.getSessionEpoch(), message.getOpenLog()));
        case LOG_CREDIT ->
            onLinkThread(
                () ->
                    logs.credit(
                        message.getLogCredit().getStreamId(), message.getLogCredit().getChunks()));
        case CANCEL_LOG -> onLinkThread(() -> logs.cancel(message.getCancelLog().getStreamId()));
        default -> log.debug("ignoring controller message {}", message.getBodyCase());
      }
    }

    @Override
    public void onError(Throwable t) {
      end(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end(Status.UNAVAILABLE.withDescription("the controller closed the stream"));
    }

    void end(Status reason) {
      if (ended.compareAndSet(false, true)) {
        out.terminated();
        onLinkThread(() -> onEnded(this, reason));
      }
    }
  }
}
