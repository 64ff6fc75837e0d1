package io.drover.controller.grpc;

import io.drover.common.Version;
import io.drover.common.concurrent.OrderedExecutor;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.grpc.OutboundStream;
import io.drover.common.grpc.StatusMapping;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.events.EventJournal;
import io.drover.controller.logs.AgentLogMessage;
import io.drover.controller.nodes.AgentSession;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.SessionHandle;
import io.drover.controller.security.ClusterSecurity;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.ControllerMessage;
import io.drover.v1.Welcome;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thin adapter from {@code AgentGateway.Connect} to {@link AgentSession}: converts and checks each
 * message, hands it to the session, and turns a protocol violation into INVALID_ARGUMENT on that
 * stream alone.
 *
 * <p>Bound with its own request marshaller, which notes each message's size as it came off the
 * stream ({@link SizedAgentMessage}), so that the size limit costs nothing per message.
 */
public final class AgentGatewayGrpcService implements BindableService {
  private static final int OUTBOUND_CAPACITY = 1024;

  /**
   * Messages of a stream asked of the transport ahead of the handler. gRPC's default asks for one
   * after each message is handled, from the handler's thread, which wakes the transport's thread
   * for every message; this asks for half of these again when half are handled. At most this many
   * parsed messages of a stream wait for its handler.
   */
  private static final int REQUEST_AHEAD = 8;

  public static final int DEFAULT_TELEMETRY_PER_SECOND = 20;
  public static final int DEFAULT_REPORTS_PER_SECOND = 20;

  /**
   * Converts and serializes commands for every agent stream, each stream's in order: the scheduler
   * only queues them (serializing on its thread took a third of it in a placement burst).
   */
  private static final Executor WRITERS = writers();

  private final NodeRegistry registry;
  private final EventJournal events;
  private final AgentEvents agentEvents;
  private final Duration telemetryInterval;
  private final int maxMessageBytes;
  private final int telemetryPerSecond;
  private final int reportsPerSecond;

  public AgentGatewayGrpcService(
      NodeRegistry registry,
      EventJournal events,
      AgentEvents agentEvents,
      Duration telemetryInterval,
      int maxMessageBytes) {
    this(
        registry,
        events,
        agentEvents,
        telemetryInterval,
        maxMessageBytes,
        DEFAULT_TELEMETRY_PER_SECOND,
        DEFAULT_REPORTS_PER_SECOND);
  }

  /**
   * @param telemetryPerSecond telemetry messages a stream may send a second, on average
   * @param reportsPerSecond overload and error reports a stream may send a second, on average
   */
  public AgentGatewayGrpcService(
      NodeRegistry registry,
      EventJournal events,
      AgentEvents agentEvents,
      Duration telemetryInterval,
      int maxMessageBytes,
      int telemetryPerSecond,
      int reportsPerSecond) {
    this.telemetryPerSecond = telemetryPerSecond;
    this.reportsPerSecond = reportsPerSecond;
    this.registry = registry;
    this.events = events;
    this.agentEvents = agentEvents;
    this.telemetryInterval = telemetryInterval;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * {@code AgentGateway} with {@code Connect} as generated, except that the handler receives each
   * message with the size it had on the stream.
   */
  @Override
  public ServerServiceDefinition bindService() {
    MethodDescriptor<AgentMessage, ControllerMessage> generated =
        AgentGatewayGrpc.getConnectMethod();
    MethodDescriptor<SizedAgentMessage, ControllerMessage> sized =
        generated.toBuilder(
                new SizedAgentMessage.Marshaller(generated.getRequestMarshaller()),
                generated.getResponseMarshaller())
            .build();
    ServiceDescriptor service =
        ServiceDescriptor.newBuilder(AgentGatewayGrpc.SERVICE_NAME)
            .setSchemaDescriptor(AgentGatewayGrpc.getServiceDescriptor().getSchemaDescriptor())
            .addMethod(sized)
            .build();
    return ServerServiceDefinition.builder(service)
        .addMethod(sized, ServerCalls.asyncBidiStreamingCall(this::open))
        .build();
  }

  /**
   * The handler of one {@code Connect} stream, for a caller that holds messages rather than bytes
   * (a test): each message is sized by computing its serialized size.
   */
  public StreamObserver<AgentMessage> connect(StreamObserver<ControllerMessage> responses) {
    StreamObserver<SizedAgentMessage> stream = open(responses);
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage value) {
        stream.onNext(SizedAgentMessage.of(value));
      }

      @Override
      public void onError(Throwable t) {
        stream.onError(t);
      }

      @Override
      public void onCompleted() {
        stream.onCompleted();
      }
    };
  }

  private StreamObserver<SizedAgentMessage> open(StreamObserver<ControllerMessage> responses) {
    ServerCallStreamObserver<ControllerMessage> call =
        (ServerCallStreamObserver<ControllerMessage>) responses;
    // On a TLS port the node is who its certificate says, and nothing else.
    Optional<String> certifiedNode;
    try {
      certifiedNode = ClientCertificateInterceptor.requireNode().map(ClusterSecurity::nodeIdOf);
    } catch (RuntimeException e) {
      responses.onError(StatusMapping.toException(e));
      return new StreamObserver<>() {
        @Override
        public void onNext(SizedAgentMessage value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    // Messages are asked for a few at a time, not one after each: see AgentStream#requested.
    call.disableAutoInboundFlowControl();
    OutboundStream<ControllerMessage> out = OutboundStream.attach(call, OUTBOUND_CAPACITY);
    AgentStream stream =
        new AgentStream(out, call, PeerAddressInterceptor.peerHost(), certifiedNode);
    call.setOnCancelHandler(() -> stream.end("the stream was cancelled"));
    call.request(REQUEST_AHEAD);
    return stream;
  }

  /** One agent's stream. gRPC delivers its callbacks one at a time. */
  private final class AgentStream implements StreamObserver<SizedAgentMessage> {
    private final OutboundStream<ControllerMessage> out;
    private final ServerCallStreamObserver<ControllerMessage> call;
    private final AgentSession session;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Optional<String> certifiedNode;
    private final RateLimit telemetryRate = new RateLimit(telemetryPerSecond, System::nanoTime);
    private final RateLimit reportRate = new RateLimit(reportsPerSecond, System::nanoTime);
    private final ContainerConverters.ContainerIds containerIds =
        new ContainerConverters.ContainerIds();

    /** Messages asked of the transport and not yet handled. */
    private int requested = REQUEST_AHEAD;

    private final CommandBatcher commands;

    AgentStream(
        OutboundStream<ControllerMessage> out,
        ServerCallStreamObserver<ControllerMessage> call,
        String peerHost,
        Optional<String> certifiedNode) {
      this.out = out;
      this.call = call;
      this.certifiedNode = certifiedNode;
      SessionHandle handle =
          new SessionHandle() {
            @Override
            public void supersede(String reason) {
              // A newer stream of the same node closes this one; the registry has moved on.
              if (finished.compareAndSet(false, true)) {
                out.fail(Status.ABORTED.withDescription(reason));
              }
            }

            @Override
            public boolean deliver(String commandId, long epoch, AgentCommand command) {
              if (out.isTerminated()) {
                return false;
              }
              // Converted and serialized on a writer thread, in order: not on the scheduler's.
              commands.queue(commandId, epoch, command);
              return true;
            }

            @Override
            public boolean deliverLog(long epoch, AgentLogMessage message) {
              return out.send(LogConverters.toAgent(epoch, message));
            }
          };
      this.session = new AgentSession(registry, events, agentEvents, peerHost, handle);
      this.commands =
          new CommandBatcher(
              new OrderedExecutor("drover-agent-writer", WRITERS), out::send, session::undelivered);
    }

    @Override
    public void onNext(SizedAgentMessage sized) {
      if (--requested <= REQUEST_AHEAD / 2) {
        call.request(REQUEST_AHEAD - requested);
        requested = REQUEST_AHEAD;
      }
      if (finished.get()) {
        return;
      }
      AgentMessage message = sized.message();
      try {
        int size = sized.bytes();
        if (size > maxMessageBytes) {
          throw new InvalidArgumentException(
              "AgentMessage",
              message.getBodyCase().name().toLowerCase()
                  + " of "
                  + size
                  + " bytes exceeds the limit of "
                  + maxMessageBytes
                  + " bytes (maxMessageBytes)");
        }
        if (message.getBodyCase() == AgentMessage.BodyCase.BATCH) {
          for (AgentMessage inner : message.getBatch().getMessagesList()) {
            if (inner.getBodyCase() == AgentMessage.BodyCase.HELLO
                || inner.getBodyCase() == AgentMessage.BodyCase.BATCH) {
              throw new InvalidArgumentException(
                  "AgentMessage.batch",
                  "holds a "
                      + inner.getBodyCase().name().toLowerCase()
                      + ", which must come alone");
            }
            handle(inner, message.getSessionEpoch());
          }
        } else {
          handle(message, message.getSessionEpoch());
        }
      } catch (RuntimeException e) {
        Status status = StatusMapping.toStatus(e);
        if (finished.compareAndSet(false, true)) {
          session.rejected(status.getDescription());
          out.fail(status);
        }
      }
    }

    /** One message, alone or out of a batch whose epoch it has. */
    private void handle(AgentMessage message, long epoch) {
      limitRate(message.getBodyCase());
      switch (message.getBodyCase()) {
        case HELLO -> {
          if (certifiedNode.isPresent()
              && !certifiedNode.get().equals(message.getHello().getNodeId())) {
            throw Status.PERMISSION_DENIED
                .withDescription(
                    "the hello names node '"
                        + message.getHello().getNodeId()
                        + "' but the client certificate is node '"
                        + certifiedNode.get()
                        + "'")
                .asRuntimeException();
          }
          var hello = AgentConverters.hello(message.getHello());
          commands.agentTakesBatches(message.getHello().getAcceptsCommandBatches());
          var containers =
              ContainerConverters.containers(
                  hello.nodeId(), message.getHello().getContainersList());
          session.hello(hello, containers, opened -> welcome(hello.nodeId(), opened));
        }
        case TELEMETRY ->
            session.telemetry(
                epoch,
                AgentConverters.sample(message.getTelemetry()),
                ContainerConverters.loads(
                    message.getTelemetry().getContainersList(), containerIds));
        case CONTAINER_EVENT ->
            session.containerChanged(
                epoch,
                ContainerConverters.container(
                    session.nodeId(), message.getContainerEvent().getContainer()),
                message.getContainerEvent().getCommandId());
        case OVERLOAD ->
            session.overload(
                epoch,
                ProtoLimits.text(
                    "overload.instance_id",
                    message.getOverload().getInstanceId(),
                    ProtoLimits.SHORT_TEXT),
                ProtoLimits.text(
                    "overload.reason", message.getOverload().getReason(), ProtoLimits.LONG_TEXT));
        case ERROR ->
            session.error(
                epoch,
                ProtoLimits.text(
                    "error.instance_id",
                    message.getError().getInstanceId(),
                    ProtoLimits.SHORT_TEXT),
                ProtoLimits.text(
                    "error.error", message.getError().getError(), ProtoLimits.LONG_TEXT));
        case COMMAND_RESULT ->
            session.commandResult(epoch, ContainerConverters.outcome(message.getCommandResult()));
        case LOG_DATA -> {
          var data = message.getLogData();
          if (data.hasEnd()) {
            session.logEnded(
                epoch,
                data.getStreamId(),
                LogConverters.ending(data.getEnd()),
                ProtoLimits.text(
                    "log_data.end.message", data.getEnd().getMessage(), ProtoLimits.LONG_TEXT));
          } else {
            session.logData(
                epoch,
                data.getStreamId(),
                ProtoLimits.text(
                    "log_data.container_id", data.getContainerId(), ProtoLimits.SHORT_TEXT),
                LogConverters.data(data));
          }
        }
        case BATCH -> throw new IllegalStateException("batches are unpacked before this");
        case BODY_NOT_SET -> throw new InvalidArgumentException("AgentMessage.body", "is empty");
      }
    }

    /**
     * Closes the stream with RESOURCE_EXHAUSTED when telemetry or reports come faster than the
     * limit: an agent sends telemetry at a fixed interval, so a flood means a broken or hostile
     * peer. Closing (rather than dropping) makes it visible on both sides and lets the agent's
     * reconnect backoff slow it down; the message that broke the limit is not applied.
     */
    private void limitRate(AgentMessage.BodyCase kind) {
      switch (kind) {
        case TELEMETRY -> {
          if (!telemetryRate.tryTake()) {
            throw new ResourceExhaustedException(
                "telemetry: more than "
                    + telemetryPerSecond
                    + " messages a second (burst "
                    + telemetryRate.burst()
                    + ") on this stream (limits.agentTelemetryPerSecond); the stream is closed");
          }
        }
        case OVERLOAD, ERROR -> {
          if (!reportRate.tryTake()) {
            throw new ResourceExhaustedException(
                kind.name().toLowerCase()
                    + ": more than "
                    + reportsPerSecond
                    + " overload and error reports a second (burst "
                    + reportRate.burst()
                    + ") on this stream (limits.agentReportsPerSecond); the stream is closed");
          }
        }
        default -> {}
      }
    }

    private void welcome(String nodeId, long epoch) {
      out.send(
          ControllerMessage.newBuilder()
              .setSessionEpoch(epoch)
              .setWelcome(
                  Welcome.newBuilder()
                      .setNodeId(nodeId)
                      .setSessionEpoch(epoch)
                      .setControllerVersion(Version.current())
                      .setTelemetryIntervalMs((int) telemetryInterval.toMillis())
                      .setAcceptsAgentBatches(true)
                      .addAllReplacedInstanceIds(registry.fenced(nodeId)))
              .build());
    }

    @Override
    public void onError(Throwable t) {
      end("the stream failed: " + Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
      finished.set(true);
      session.closed("the agent closed the stream");
      out.complete();
    }

    /** The peer is gone: nothing more can be written. */
    void end(String reason) {
      finished.set(true);
      out.terminated();
      session.closed(reason);
    }
  }

  private static Executor writers() {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "drover-agent-writer-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
