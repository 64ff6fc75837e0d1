package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.agents.AgentCommand;
import io.drover.v1.Command;
import io.drover.v1.ControllerMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Commands queued while no writer task ran leave together, in order, as long as the agent takes
 * batches and a batch stays within its limits; otherwise each goes alone.
 */
class CommandBatcherTest {
  /** Runs the writer's tasks only when the test says, as a busy writer pool would. */
  private final Queue<Runnable> writerTasks = new ArrayDeque<>();

  private final Executor writer = writerTasks::add;
  private final List<ControllerMessage> sent = new ArrayList<>();
  private final List<String> undelivered = new ArrayList<>();
  private boolean streamTakes = true;

  private final CommandBatcher batcher =
      new CommandBatcher(
          writer,
          message -> {
            if (streamTakes) {
              sent.add(message);
            }
            return streamTakes;
          },
          undelivered::add);

  @Test
  void commandsQueuedTogetherLeaveAsOneBatchInOrder() {
    batcher.agentTakesBatches(true);
    for (int i = 0; i < 5; i++) {
      batcher.queue("c-" + i, 3, release(i));
    }
    assertThat(writerTasks).as("one writer task for the five").hasSize(1);
    runWriter();

    assertThat(sent).hasSize(1);
    ControllerMessage message = sent.get(0);
    assertThat(message.getSessionEpoch()).isEqualTo(3);
    assertThat(message.getBodyCase()).isEqualTo(ControllerMessage.BodyCase.COMMANDS);
    assertThat(ids(message)).containsExactly("c-0", "c-1", "c-2", "c-3", "c-4");
  }

  @Test
  void aCommandAloneGoesAsACommandNotABatch() {
    batcher.agentTakesBatches(true);
    batcher.queue("only", 1, release(0));
    runWriter();
    assertThat(sent).singleElement().satisfies(m -> assertThat(m.hasCommand()).isTrue());
  }

  @Test
  void anAgentThatTakesNoBatchesGetsOneMessagePerCommand() {
    for (int i = 0; i < 4; i++) {
      batcher.queue("c-" + i, 1, release(i));
    }
    runWriter();
    assertThat(sent).hasSize(4).allSatisfy(m -> assertThat(m.hasCommand()).isTrue());
    assertThat(sent.stream().map(m -> m.getCommand().getCommandId()))
        .containsExactly("c-0", "c-1", "c-2", "c-3");
  }

  @Test
  void aBatchHoldsAtMostItsLimitOfCommands() {
    batcher.agentTakesBatches(true);
    int total = CommandBatcher.MAX_COMMANDS * 2 + 3;
    for (int i = 0; i < total; i++) {
      batcher.queue("c-" + i, 1, release(i));
    }
    runWriter();
    assertThat(sent.stream().map(CommandBatcherTest::ids).map(List::size))
        .containsExactly(CommandBatcher.MAX_COMMANDS, CommandBatcher.MAX_COMMANDS, 3);
    assertThat(sent.stream().flatMap(m -> ids(m).stream()))
        .containsExactlyElementsOf(IntStream.range(0, total).mapToObj(i -> "c-" + i).toList());
  }

  @Test
  void aBatchStaysUnderItsByteLimit() {
    batcher.agentTakesBatches(true);
    // Each command carries a reason of 100 KiB: about ten fit in 1 MiB.
    String reason = "r".repeat(100 << 10);
    for (int i = 0; i < 25; i++) {
      batcher.queue(
          "c-" + i,
          1,
          new AgentCommand.StopContainer("container-" + i, Duration.ofSeconds(1), reason));
    }
    runWriter();
    assertThat(sent).hasSizeGreaterThanOrEqualTo(3);
    assertThat(sent)
        .allSatisfy(
            m -> assertThat(m.getSerializedSize()).isLessThan(CommandBatcher.MAX_BYTES + 1024));
    assertThat(sent.stream().mapToInt(m -> ids(m).size()).sum()).isEqualTo(25);
  }

  @Test
  void commandsOfAnotherEpochStartANewMessage() {
    batcher.agentTakesBatches(true);
    batcher.queue("a", 1, release(0));
    batcher.queue("b", 1, release(1));
    batcher.queue("c", 2, release(2));
    runWriter();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).getSessionEpoch()).isEqualTo(1);
    assertThat(ids(sent.get(0))).containsExactly("a", "b");
    assertThat(sent.get(1).getSessionEpoch()).isEqualTo(2);
    assertThat(ids(sent.get(1))).containsExactly("c");
  }

  @Test
  void commandsQueuedWhileTheWriterRunsGoInALaterMessage() {
    batcher.agentTakesBatches(true);
    batcher.queue("first", 1, release(0));
    runWriter();
    batcher.queue("second", 1, release(1));
    batcher.queue("third", 1, release(2));
    runWriter();
    assertThat(sent).hasSize(2);
    assertThat(ids(sent.get(1))).containsExactly("second", "third");
  }

  @Test
  void everyCommandOfABatchTheStreamRefusedIsReportedUndelivered() {
    batcher.agentTakesBatches(true);
    streamTakes = false;
    batcher.queue("x", 1, release(0));
    batcher.queue("y", 1, release(1));
    runWriter();
    assertThat(undelivered).containsExactly("x", "y");
  }

  private void runWriter() {
    Runnable task;
    while ((task = writerTasks.poll()) != null) {
      task.run();
    }
  }

  private static AgentCommand release(int i) {
    return new AgentCommand.ReleaseContainer("container-" + i, Duration.ofSeconds(1));
  }

  private static List<String> ids(ControllerMessage message) {
    return message.hasCommand()
        ? List.of(message.getCommand().getCommandId())
        : message.getCommands().getCommandsList().stream().map(Command::getCommandId).toList();
  }
}
