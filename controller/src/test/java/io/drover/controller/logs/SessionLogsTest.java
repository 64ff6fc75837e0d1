package io.drover.controller.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.errors.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionLogsTest {
  private final List<AgentLogMessage> toAgent = new ArrayList<>();
  private boolean agentTakes = true;
  private final SessionLogs logs =
      new SessionLogs(
          "web-1",
          message -> {
            if (agentTakes) {
              toAgent.add(message);
            }
            return agentTakes;
          });

  /** What a sink was told, in order. */
  private static final class Recorded implements LogSink {
    final List<String> chunks = new ArrayList<>();
    String endedWith;
    RuntimeException failedWith;

    @Override
    public void chunk(String containerId, byte[] data) {
      chunks.add(containerId + ":" + new String(data, StandardCharsets.UTF_8));
    }

    @Override
    public void ended(String reason) {
      endedWith = reason;
    }

    @Override
    public void failed(RuntimeException error) {
      failedWith = error;
    }
  }

  @Test
  void openAsksTheAgentAndItsPiecesReachTheSink() {
    Recorded sink = new Recorded();
    LogSubscription subscription = logs.open(new LogRequest("hello-1", true, 50), "c1", sink);
    assertThat(toAgent)
        .containsExactly(
            new AgentLogMessage.Open(1, "hello-1", "c1", 50, true, SessionLogs.WINDOW));
    logs.data(1, "c1", "a\n".getBytes(StandardCharsets.UTF_8));
    logs.data(99, "c1", "not ours\n".getBytes(StandardCharsets.UTF_8));
    subscription.passedOn(1);
    assertThat(sink.chunks).containsExactly("c1:a\n");
    assertThat(toAgent).last().isEqualTo(new AgentLogMessage.Credit(1, 1));

    subscription.cancel();
    assertThat(toAgent).last().isEqualTo(new AgentLogMessage.Cancel(1));
    logs.data(1, "c1", "late\n".getBytes(StandardCharsets.UTF_8));
    assertThat(sink.chunks).containsExactly("c1:a\n");
    assertThat(logs.size()).isZero();
  }

  @Test
  void theAgentsEndingsBecomeEndsOrDomainErrorsNamingTheNode() {
    Recorded complete = new Recorded();
    Recorded gone = new Recorded();
    Recorded noLog = new Recorded();
    Recorded busy = new Recorded();
    Recorded broken = new Recorded();
    logs.open(new LogRequest("hello-1", false, 10), "", complete);
    logs.open(new LogRequest("hello-2", true, 10), "", gone);
    logs.open(new LogRequest("hello-3", false, 10), "", noLog);
    logs.open(new LogRequest("hello-4", false, 10), "", busy);
    logs.open(new LogRequest("hello-5", false, 10), "", broken);
    logs.ended(1, LogEnding.COMPLETE, "");
    logs.ended(2, LogEnding.INSTANCE_GONE, "instance hello-2 no longer runs on this node");
    logs.ended(3, LogEnding.NO_LOG, "instance hello-3 has no log yet");
    logs.ended(4, LogEnding.BUSY, "this node already serves 32 logs");
    logs.ended(5, LogEnding.FAILED, "reading the log of instance hello-5 failed: disk");

    assertThat(complete.endedWith).isEmpty();
    assertThat(gone.endedWith)
        .isEqualTo("instance hello-2 no longer runs on this node (node web-1)");
    assertThat(noLog.failedWith)
        .isInstanceOf(FailedPreconditionException.class)
        .hasMessage("instance hello-3 has no log yet (node web-1)");
    assertThat(busy.failedWith).isInstanceOf(ResourceExhaustedException.class);
    assertThat(broken.failedWith)
        .isInstanceOf(UnavailableException.class)
        .hasMessageStartingWith("node web-1: reading the log of instance hello-5 failed");
    assertThat(logs.size()).isZero();
  }

  @Test
  void theEndOfTheSessionFailsEveryOpenLogNamingTheNode() {
    Recorded first = new Recorded();
    Recorded second = new Recorded();
    logs.open(new LogRequest("hello-1", true, 10), "", first);
    logs.open(new LogRequest("hello-2", true, 10), "", second);
    logs.closeAll();
    assertThat(first.failedWith)
        .isInstanceOf(UnavailableException.class)
        .hasMessage("node web-1: its agent is disconnected; the log of instance hello-1 ends here");
    assertThat(second.failedWith).isInstanceOf(UnavailableException.class);

    Recorded late = new Recorded();
    logs.open(new LogRequest("hello-3", true, 10), "", late);
    assertThat(late.failedWith)
        .as("a log opened after the end")
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  void aStreamThatCannotTakeTheOpenFailsTheLog() {
    agentTakes = false;
    Recorded sink = new Recorded();
    logs.open(new LogRequest("hello-1", false, 10), "", sink);
    assertThat(sink.failedWith).isInstanceOf(UnavailableException.class);
    assertThat(logs.size()).isZero();
  }
}
