package io.drover.controller.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.net.PortRange;
import io.drover.controller.agents.AgentCommand;
import io.drover.controller.agents.AgentEvents;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.logs.AgentLogMessage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class NodeRegistryTest {
  private final EventJournal events = new EventJournal(100, Clock.systemUTC());
  private final NodeRegistry registry =
      new NodeRegistry(events, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  @Test
  void epochsRiseWithEverySessionAndHonourTheAgentsMemory() {
    assertThat(registry.open(hello("n1", "a", 0), "10.0.0.1", session(r -> {}))).isEqualTo(1);
    registry.close("n1", 1, "bye");
    assertThat(registry.open(hello("n1", "a", 0), "10.0.0.1", session(r -> {}))).isEqualTo(2);
    registry.close("n1", 2, "bye");
    // After a controller restart the registry is empty, but the agent remembers epoch 7.
    assertThat(registry.open(hello("n1", "a", 7), "10.0.0.1", session(r -> {}))).isEqualTo(8);
  }

  @Test
  void aNewerSessionSupersedesTheOpenOneAndItsLateCloseChangesNothing() {
    List<String> superseded = new ArrayList<>();
    long first = registry.open(hello("n1", "a", 0), "10.0.0.1", session(superseded::add));
    long second = registry.open(hello("n1", "a", 0), "10.0.0.2", session(r -> {}));
    assertThat(superseded).hasSize(1);
    assertThat(superseded.get(0)).contains("newer session");

    registry.close("n1", first, "old stream ended");
    assertThat(registry.get("n1").orElseThrow().state()).isEqualTo(NodeState.READY);
    assertThat(registry.get("n1").orElseThrow().address()).isEqualTo("10.0.0.2");
    assertThat(registry.recordLoad("n1", first, load())).isFalse();
    assertThat(registry.recordLoad("n1", second, load())).isTrue();
    assertThat(events.tail(10))
        .extracting(e -> e.kind())
        .containsExactly(EventKind.NODE_JOINED, EventKind.NODE_SESSION_REPLACED);
  }

  @Test
  void aSampleIsKeptAsReceivedAndConvertedOnceWhenRead() {
    long epoch = registry.open(hello("n1", "a", 0), "10.0.0.1", session(r -> {}));
    NodeLoad load = load();
    int[] conversions = {0};
    TelemetrySample sample =
        new TelemetrySample(load.sampledAt()) {
          @Override
          protected NodeLoad convert() {
            conversions[0]++;
            return load;
          }

          @Override
          public double cpuLoad() {
            return load.cpuLoad();
          }

          @Override
          public long memoryTotalBytes() {
            return load.memoryTotalBytes();
          }

          @Override
          public long memoryAvailableBytes() {
            return load.memoryAvailableBytes();
          }
        };
    List<Instant> heard = new ArrayList<>();
    registry.onSample((id, s) -> heard.add(s.sampledAt()));

    assertThat(registry.recordSample("n1", epoch, sample)).isTrue();
    Node node = registry.get("n1").orElseThrow();
    assertThat(heard).containsExactly(load.sampledAt());
    assertThat(node.telemetry().orElseThrow().memoryUsedBytes()).isEqualTo(4L << 30);
    assertThat(conversions[0]).isZero();

    assertThat(node.load()).contains(load);
    assertThat(registry.get("n1").orElseThrow().load()).contains(load);
    assertThat(conversions[0]).isEqualTo(1);
  }

  @Test
  void closeMarksDisconnectedOnceWithAnEvent() {
    long epoch = registry.open(hello("n1", "a", 0), "10.0.0.1", session(r -> {}));
    registry.close("n1", epoch, "agent closed the stream");
    registry.close("n1", epoch, "again");
    Node node = registry.get("n1").orElseThrow();
    assertThat(node.state()).isEqualTo(NodeState.DISCONNECTED);
    assertThat(events.tail(10))
        .filteredOn(e -> e.kind() == EventKind.NODE_DISCONNECTED)
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("agent closed the stream"));
  }

  @Test
  void advertisedAddressWinsOverThePeerAddress() {
    AgentHello h = hello("n1", "a", 0);
    AgentHello advertised =
        new AgentHello(
            h.nodeId(),
            h.nodeName(),
            h.agentVersion(),
            h.agentPid(),
            h.inventory(),
            0,
            h.instancePorts(),
            Optional.of("203.0.113.9"),
            0,
            0);
    registry.open(advertised, "10.0.0.1", session(r -> {}));
    assertThat(registry.get("n1").orElseThrow().address()).isEqualTo("203.0.113.9");
  }

  @Test
  void findByIdNameOrUniquePrefix() {
    registry.open(hello("abc-1", "web", 0), "10.0.0.1", session(r -> {}));
    registry.open(hello("abd-2", "db", 0), "10.0.0.2", session(r -> {}));
    assertThat(registry.find("abc-1").name()).isEqualTo("web");
    assertThat(registry.find("db").id()).isEqualTo("abd-2");
    assertThat(registry.find("abc").id()).isEqualTo("abc-1");
    assertThatThrownBy(() -> registry.find("ab"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("matches 2 nodes");
    assertThatThrownBy(() -> registry.find("zzz"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("node 'zzz' not found");
  }

  @Test
  void aNameSharedWithAGoneNodeFindsTheConnectedOne() {
    long old = registry.open(hello("old-1", "web", 0), "10.0.0.1", session(r -> {}));
    registry.close("old-1", old, "server rebuilt");
    registry.open(hello("new-2", "web", 0), "10.0.0.1", session(r -> {}));
    assertThat(registry.find("web").id()).isEqualTo("new-2");
  }

  @Test
  void sessionProtocolNeedsHelloFirstAndTheRightEpoch() {
    AgentSession session = session(r -> {});
    assertThatThrownBy(() -> session.telemetry(0, load(), Map.of()))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("telemetry: arrived before the hello");
    long epoch = session.hello(hello("n1", "a", 0), List.of());
    assertThatThrownBy(() -> session.hello(hello("n1", "a", 0), List.of()))
        .hasMessage("hello: sent twice on one stream");
    assertThatThrownBy(() -> session.telemetry(epoch + 1, load(), Map.of()))
        .hasMessageStartingWith("session_epoch:");
    session.telemetry(epoch, load(), Map.of());
    assertThat(registry.get("n1").orElseThrow().load()).isPresent();
  }

  /** A session whose stream only records being superseded. */
  private AgentSession session(Consumer<String> onSupersede) {
    return new AgentSession(
        registry,
        events,
        AgentEvents.NONE,
        "10.0.0.1",
        new SessionHandle() {
          @Override
          public void supersede(String reason) {
            onSupersede.accept(reason);
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
  }

  static AgentHello hello(String id, String name, long lastEpoch) {
    NodeInventory inventory =
        new NodeInventory(
            name,
            "Linux",
            "6.1",
            "amd64",
            "cpu",
            2,
            4,
            8L << 30,
            0,
            0,
            List.of(),
            List.of(),
            Optional.of(new PortRange(32768, 60999)));
    return new AgentHello(
        id,
        name,
        "test",
        42,
        inventory,
        lastEpoch,
        new PortRange(20000, 32000),
        Optional.empty(),
        7481,
        0);
  }

  static NodeLoad load() {
    return new NodeLoad(
        Instant.now(),
        1,
        0.5,
        List.of(0.4, 0.6),
        1,
        1,
        1,
        8L << 30,
        4L << 30,
        0,
        0,
        100,
        1000,
        List.of(),
        List.of());
  }
}
