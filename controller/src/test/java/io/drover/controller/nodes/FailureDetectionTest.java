package io.drover.controller.nodes;

import static io.drover.controller.nodes.NodeRegistryTest.hello;
import static io.drover.controller.nodes.NodeRegistryTest.load;
import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.events.Event;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.logs.AgentLogMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry's side of the failure detector: READY → SUSPECT → LOST, by silence alone. */
class FailureDetectionTest {
  private static final Duration SUSPECT = Duration.ofSeconds(2);
  private static final Duration LOST = Duration.ofSeconds(5);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final EventJournal events = new EventJournal(100, Clock.systemUTC());
  private final NodeRegistry registry = new NodeRegistry(events, clock);
  private final List<String> superseded = new ArrayList<>();

  @Test
  void lateTelemetryMakesANodeSuspectAndItsReturnMakesItReadyAgain() {
    long epoch = open("n1");
    clock.advance(Duration.ofMillis(1900));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.READY);

    clock.advance(Duration.ofMillis(200));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.SUSPECT);
    assertThat(last().kind()).isEqualTo(EventKind.NODE_SUSPECT);
    assertThat(last().message()).contains("nothing heard for 2.1 s");

    assertThat(registry.recordLoad("n1", epoch, load())).isTrue();
    assertThat(state("n1")).isEqualTo(NodeState.READY);
    assertThat(last().kind()).isEqualTo(EventKind.NODE_READY_AGAIN);
    assertThat(superseded).isEmpty();
  }

  @Test
  void aSilenceOfExactlySuspectAfterOrLostAfterIsNotYetPastIt() {
    open("n1");
    clock.advance(SUSPECT);
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.READY);
    clock.advance(Duration.ofNanos(1));
    registry.sweep(SUSPECT, LOST);
    assertThat(state("n1")).isEqualTo(NodeState.SUSPECT);

    clock.advance(LOST.minus(SUSPECT).minusNanos(1));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.SUSPECT);
    clock.advance(Duration.ofNanos(1));
    assertThat(registry.sweep(SUSPECT, LOST))
        .extracting(NodeRegistry.LostNode::id)
        .containsExactly("n1");
    assertThat(last().message()).contains("nothing heard for 5.0 s");
  }

  @Test
  void aSilentNodeIsLostOnceAndItsOpenStreamIsClosed() {
    open("n1");
    clock.advance(Duration.ofMillis(2500));
    registry.sweep(SUSPECT, LOST);
    clock.advance(Duration.ofMillis(2600));
    List<NodeRegistry.LostNode> lost = registry.sweep(SUSPECT, LOST);

    assertThat(lost).extracting(NodeRegistry.LostNode::id).containsExactly("n1");
    assertThat(state("n1")).isEqualTo(NodeState.LOST);
    assertThat(superseded).singleElement().asString().contains("declared lost");
    assertThat(last().kind()).isEqualTo(EventKind.NODE_LOST);
    assertThat(last().message()).contains("nothing heard for 5.1 s").contains("it was SUSPECT");
    // Declared once only; a late sample of the lost session changes nothing.
    clock.advance(Duration.ofSeconds(10));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(registry.recordLoad("n1", 1, load())).isFalse();
    assertThat(state("n1")).isEqualTo(NodeState.LOST);
  }

  @Test
  void aClosedStreamIsLostOnlyAfterLostAfterAndAReturnInTimeLosesNothing() {
    long epoch = open("n1");
    registry.close("n1", epoch, "stream reset");
    clock.advance(Duration.ofMillis(4900));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.DISCONNECTED);

    long back = open("n1");
    assertThat(back).isGreaterThan(epoch);
    clock.advance(Duration.ofMillis(200));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n1")).isEqualTo(NodeState.READY);

    registry.close("n1", back, "stream reset");
    clock.advance(Duration.ofMillis(5100));
    assertThat(registry.sweep(SUSPECT, LOST))
        .extracting(NodeRegistry.LostNode::epoch)
        .containsExactly(back);
    assertThat(last().message()).contains("it was DISCONNECTED");
  }

  @Test
  void aLostNodeComesBackWithAHigherEpochAndItsFencedInstances() {
    long epoch = open("n1");
    clock.advance(Duration.ofSeconds(6));
    registry.sweep(SUSPECT, LOST);
    registry.fence("n1", Set.of("hello-1", "hello-2"));

    long back = open("n1");
    assertThat(back).isGreaterThan(epoch);
    assertThat(registry.fenced("n1")).containsExactlyInAnyOrder("hello-1", "hello-2");
    assertThat(last().message()).contains("it was LOST");
    registry.unfence("n1", Set.of("hello-1"));
    assertThat(registry.fenced("n1")).containsExactly("hello-2");
  }

  @Test
  void whenEveryNodeFallsSilentAtOnceNoneIsLostUntilSomeAreHeardFromAgain() {
    Map<String, Long> epochs = new java.util.LinkedHashMap<>();
    for (String id : List.of("n1", "n2", "n3")) {
      epochs.put(id, open(id));
    }
    clock.advance(LOST.plusSeconds(1));
    // The controller's network went away, not three servers: what runs there stays.
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(List.of(state("n1"), state("n2"), state("n3"))).containsOnly(NodeState.SUSPECT);
    assertThat(superseded).isEmpty();
    assertThat(events.tail(10))
        .filteredOn(e -> e.kind() == EventKind.LIVENESS_HELD)
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("3 of 3 nodes are silent"));
    clock.advance(Duration.ofSeconds(30));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();

    // One is heard from: not all of a small fleet is silent now. The other two get lostAfter
    // from here: the stall that silenced everyone may still be draining.
    assertThat(registry.recordLoad("n1", epochs.get("n1"), load())).isTrue();
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(events.tail(10)).anyMatch(e -> e.kind() == EventKind.LIVENESS_RESUMED);
    assertThat(state("n1")).isEqualTo(NodeState.READY);

    clock.advance(LOST);
    assertThat(registry.recordLoad("n1", epochs.get("n1"), load())).isTrue();
    assertThat(registry.recordLoad("n2", epochs.get("n2"), load())).isTrue();
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(registry.sweep(SUSPECT, LOST))
        .extracting(NodeRegistry.LostNode::name)
        .containsExactly("n3");
  }

  @Test
  void inALargerFleetLossesAreHeldWhileMoreThanFiftyFivePercentAreSilent() {
    Map<String, Long> epochs = new java.util.LinkedHashMap<>();
    for (int i = 1; i <= 10; i++) {
      epochs.put("n" + i, open("n" + i));
    }
    clock.advance(LOST.plusSeconds(1));
    for (int i = 1; i <= 4; i++) {
      assertThat(registry.recordLoad("n" + i, epochs.get("n" + i), load())).isTrue();
    }
    // Six of ten silent: held.
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    assertThat(state("n10")).isEqualTo(NodeState.SUSPECT);

    // Five of ten: at most 55 % silent, so these five are lost once lostAfter has passed since.
    assertThat(registry.recordLoad("n5", epochs.get("n5"), load())).isTrue();
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    clock.advance(LOST.plusMillis(1));
    for (int i = 1; i <= 5; i++) {
      assertThat(registry.recordLoad("n" + i, epochs.get("n" + i), load())).isTrue();
    }
    assertThat(registry.sweep(SUSPECT, LOST)).hasSize(5);
    assertThat(state("n10")).isEqualTo(NodeState.LOST);
  }

  @Test
  void aFleetStillSilentWhenTheHoldRunsOutIsLostAndNotHeldAgainUntilItIsHeardFrom() {
    open("n1");
    open("n2");
    clock.advance(LOST.plusSeconds(1));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();
    clock.advance(NodeRegistry.MAX_LOSS_HOLD.minusSeconds(1));
    assertThat(registry.sweep(SUSPECT, LOST)).isEmpty();

    clock.advance(Duration.ofSeconds(1));
    assertThat(registry.sweep(SUSPECT, LOST)).hasSize(2);
    assertThat(last().kind()).isEqualTo(EventKind.NODE_LOST);
    assertThat(events.tail(10))
        .filteredOn(e -> e.kind() == EventKind.LIVENESS_RESUMED)
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("still silent after 5m"));
  }

  @Test
  void oneSilentNodeOfTwoIsLostAsBefore() {
    open("n1");
    long epoch = open("n2");
    clock.advance(LOST.plusSeconds(1));
    assertThat(registry.recordLoad("n2", epoch, load())).isTrue();
    assertThat(registry.sweep(SUSPECT, LOST))
        .extracting(NodeRegistry.LostNode::name)
        .containsExactly("n1");
    assertThat(events.tail(20)).noneMatch(e -> e.kind() == EventKind.LIVENESS_HELD);
  }

  private long open(String id) {
    AgentSession session =
        new AgentSession(
            registry,
            events,
            AgentEvents.NONE,
            "10.0.0.1",
            new SessionHandle() {
              @Override
              public void supersede(String reason) {
                superseded.add(reason);
              }

              @Override
              public boolean deliver(String commandId, long epoch, AgentCommand command) {
                return true;
              }

              @Override
              public boolean deliverLog(long epoch, AgentLogMessage message) {
                return true;
              }
            });
    return session.hello(hello(id, id, 0), List.of());
  }

  private NodeState state(String id) {
    return registry.get(id).orElseThrow().state();
  }

  private Event last() {
    List<Event> tail = events.tail(1);
    return tail.get(tail.size() - 1);
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
