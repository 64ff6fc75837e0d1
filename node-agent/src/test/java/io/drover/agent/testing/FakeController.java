package io.drover.agent.testing;

import io.drover.common.grpc.OutboundStream;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.AgentMessage;
import io.drover.v1.Command;
import io.drover.v1.CommandBatch;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerReport;
import io.drover.v1.ControllerMessage;
import io.drover.v1.Hello;
import io.drover.v1.Welcome;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The controller's side of {@code AgentGateway.Connect}, for agent tests: a loopback gRPC server
 * that welcomes each hello with a higher epoch, records what agents send (hellos, container
 * reports, command results) and sends the commands a test gives it.
 */
public final class FakeController implements AutoCloseable {
  private final Server server;
  private final AtomicLong epochs = new AtomicLong();
  private final List<Hello> hellos = new CopyOnWriteArrayList<>();
  private final List<ContainerReport> reports = new CopyOnWriteArrayList<>();
  private final List<Long> telemetryReceivedNanos = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<CommandResult>> results = new ConcurrentHashMap<>();
  private final AtomicLong commandIds = new AtomicLong();
  private volatile Stream current;
  private volatile List<String> replacedInstances = List.of();
  private volatile int telemetryIntervalMs = 200;

  private FakeController(int port) throws IOException {
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .addService(new Gateway())
            .build()
            .start();
  }

  /** A controller on a free loopback port. */
  public static FakeController start() throws IOException {
    return new FakeController(0);
  }

  /** A controller on {@code port}, e.g. one that comes back where it was. */
  public static FakeController start(int port) throws IOException {
    return new FakeController(port);
  }

  public int port() {
    return server.getPort();
  }

  /** The next welcomes tell the agent to stop these instances (fencing). */
  public FakeController replacedInstances(String... ids) {
    replacedInstances = List.of(ids);
    return this;
  }

  public FakeController telemetryIntervalMs(int ms) {
    telemetryIntervalMs = ms;
    return this;
  }

  public List<Hello> hellos() {
    return List.copyOf(hellos);
  }

  /** Every container report, from container events, in the order they came. */
  public List<ContainerReport> reports() {
    return List.copyOf(reports);
  }

  public List<ContainerReport> reports(String instanceId) {
    return reports.stream().filter(r -> r.getInstanceId().equals(instanceId)).toList();
  }

  /** When each telemetry message arrived (System.nanoTime). */
  public List<Long> telemetryReceivedNanos() {
    return List.copyOf(telemetryReceivedNanos);
  }

  /** Whether an agent is connected and welcomed. */
  public boolean connected() {
    Stream s = current;
    return s != null && !s.out.isTerminated();
  }

  /** Sends a command on the current stream; completes with the agent's result. */
  public CompletableFuture<CommandResult> send(Command.Builder command) {
    Stream s = current;
    if (s == null) {
      throw new IllegalStateException("no agent is connected");
    }
    if (command.getCommandId().isEmpty()) {
      command.setCommandId("cmd-" + commandIds.incrementAndGet());
    }
    Command built = command.build();
    CompletableFuture<CommandResult> result = new CompletableFuture<>();
    results.put(built.getCommandId(), result);
    s.out.send(ControllerMessage.newBuilder().setSessionEpoch(s.epoch).setCommand(built).build());
    return result;
  }

  /**
   * Sends commands in one {@code CommandBatch} on the current stream; completes with the agent's
   * results, in the commands' order.
   */
  public List<CompletableFuture<CommandResult>> sendBatch(List<Command.Builder> commands) {
    Stream s = current;
    if (s == null) {
      throw new IllegalStateException("no agent is connected");
    }
    CommandBatch.Builder batch = CommandBatch.newBuilder();
    List<CompletableFuture<CommandResult>> answers = new java.util.ArrayList<>();
    for (Command.Builder command : commands) {
      command.setCommandId("cmd-" + commandIds.incrementAndGet());
      CompletableFuture<CommandResult> result = new CompletableFuture<>();
      results.put(command.getCommandId(), result);
      answers.add(result);
      batch.addCommands(command);
    }
    s.out.send(ControllerMessage.newBuilder().setSessionEpoch(s.epoch).setCommands(batch).build());
    return answers;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private record Stream(OutboundStream<ControllerMessage> out, long epoch) {}

  private final class Gateway extends AgentGatewayGrpc.AgentGatewayImplBase {
    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<ControllerMessage> observer) {
      OutboundStream<ControllerMessage> out =
          OutboundStream.attach((ServerCallStreamObserver<ControllerMessage>) observer, 1024);
      return new StreamObserver<>() {
        @Override
        public void onNext(AgentMessage message) {
          switch (message.getBodyCase()) {
            case HELLO -> {
              Hello hello = message.getHello();
              hellos.add(hello);
              long epoch = epochs.updateAndGet(e -> Math.max(e, hello.getLastEpoch()) + 1);
              current = new Stream(out, epoch);
              out.send(
                  ControllerMessage.newBuilder()
                      .setSessionEpoch(epoch)
                      .setWelcome(
                          Welcome.newBuilder()
                              .setNodeId(hello.getNodeId())
                              .setSessionEpoch(epoch)
                              .setTelemetryIntervalMs(telemetryIntervalMs)
                              .addAllReplacedInstanceIds(replacedInstances))
                      .build());
            }
            case CONTAINER_EVENT -> reports.add(message.getContainerEvent().getContainer());
            case TELEMETRY -> telemetryReceivedNanos.add(System.nanoTime());
            case COMMAND_RESULT -> {
              CompletableFuture<CommandResult> result =
                  results.get(message.getCommandResult().getCommandId());
              if (result != null) {
                result.complete(message.getCommandResult());
              }
            }
            default -> {}
          }
        }

        @Override
        public void onError(Throwable t) {
          out.terminated();
        }

        @Override
        public void onCompleted() {
          out.complete();
        }
      };
    }
  }
}
