package io.drover.controller.grpc;

import io.drover.controller.agents.AgentCommand;
import io.drover.v1.Command;
import io.drover.v1.CommandBatch;
import io.drover.v1.ControllerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The commands of one agent stream on their way out. The scheduler only queues them; a writer task
 * converts and sends whatever is queued when it runs, so the commands a pass gives one node leave
 * as one {@code CommandBatch} rather than one message each, when the agent takes batches. Order is
 * kept: commands leave in the order they were queued.
 *
 * <p>Thread-safe: any thread may queue; the writer must run tasks one at a time, in order.
 */
final class CommandBatcher {
  /**
   * At most this many commands, and about this many bytes of them, go in one batch: well under the
   * 16 MiB an agent accepts, and small enough that one batch never holds the stream for long.
   */
  static final int MAX_COMMANDS = 512;

  static final int MAX_BYTES = 1 << 20;

  private record Pending(String commandId, long epoch, AgentCommand command) {}

  private final Executor writer;
  private final Predicate<ControllerMessage> out;
  private final Consumer<String> undelivered;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushQueued = new AtomicBoolean();
  private volatile boolean agentTakesBatches;

  /**
   * @param writer runs the sending tasks one at a time, in order
   * @param out sends one message; false when the stream is closed or its queue is full
   * @param undelivered told the id of each command that could not be sent
   */
  CommandBatcher(Executor writer, Predicate<ControllerMessage> out, Consumer<String> undelivered) {
    this.writer = writer;
    this.out = out;
    this.undelivered = undelivered;
  }

  /** What the agent's hello said; until then every command goes alone. */
  void agentTakesBatches(boolean takes) {
    agentTakesBatches = takes;
  }

  void queue(String commandId, long epoch, AgentCommand command) {
    pending.add(new Pending(commandId, epoch, command));
    if (flushQueued.compareAndSet(false, true)) {
      writer.execute(this::flush);
    }
  }

  private void flush() {
    // Cleared first: a command queued from here on either is taken below or queues a new flush.
    flushQueued.set(false);
    List<Pending> batch = new ArrayList<>();
    CommandBatch.Builder commands = CommandBatch.newBuilder();
    int bytes = 0;
    Pending next;
    while ((next = pending.poll()) != null) {
      Command command = ContainerConverters.command(next.commandId(), next.command());
      int size = command.getSerializedSize();
      boolean fits =
          agentTakesBatches
              && batch.size() < MAX_COMMANDS
              && bytes + size <= MAX_BYTES
              && (batch.isEmpty() || batch.get(0).epoch() == next.epoch());
      if (!fits && !batch.isEmpty()) {
        send(batch, commands);
        batch.clear();
        commands.clear();
        bytes = 0;
      }
      batch.add(next);
      commands.addCommands(command);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      send(batch, commands);
    }
  }

  private void send(List<Pending> batch, CommandBatch.Builder commands) {
    ControllerMessage.Builder message =
        ControllerMessage.newBuilder().setSessionEpoch(batch.get(0).epoch());
    if (batch.size() == 1) {
      message.setCommand(commands.getCommands(0));
    } else {
      message.setCommands(commands.build());
    }
    if (!out.test(message.build())) {
      for (Pending command : batch) {
        undelivered.accept(command.commandId());
      }
    }
  }
}
