package io.drover.controller.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.artifacts.ArtifactInfo;
import io.drover.controller.state.StateCommand.AddArtifact;
import io.drover.controller.state.StateCommand.ClearScale;
import io.drover.controller.state.StateCommand.Cordon;
import io.drover.controller.state.StateCommand.EndDrain;
import io.drover.controller.state.StateCommand.ForgetServer;
import io.drover.controller.state.StateCommand.RecordEpoch;
import io.drover.controller.state.StateCommand.RecordServer;
import io.drover.controller.state.StateCommand.ReserveInstanceNumbers;
import io.drover.controller.state.StateCommand.ServerJoined;
import io.drover.controller.state.StateCommand.SetScale;
import io.drover.controller.state.StateCommand.StartDrain;
import io.drover.controller.state.StateCommand.Uncordon;
import io.drover.provider.Server;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Applying commands, in memory: their effects, idempotence, validation and the JSON form. */
class DesiredStateTest {
  static final String SHA = "0123456789abcdef".repeat(4);

  /** One command of each kind, touching overlapping names. */
  static List<StateCommand> oneOfEach() {
    return List.of(
        new SetScale("orders", 3),
        new SetScale("billing", 1),
        new ClearScale("billing"),
        new Cordon("n1"),
        StartDrain.of(
            "n2", Instant.ofEpochMilli(1_000), Optional.of(Instant.ofEpochMilli(61_000)), 2),
        new Cordon("n3"),
        new Uncordon("n3"),
        StartDrain.of("n4", Instant.ofEpochMilli(2_000), Optional.empty(), 1),
        new EndDrain("n4"),
        new RecordServer("i-1", "ec2", "node-a", 5_000, Map.of("zone", "eu-1a"), false),
        new RecordServer("i-2", "ec2", "node-b", 6_000, Map.of(), false),
        new ServerJoined("i-1"),
        new ForgetServer("i-2"),
        new RecordEpoch("n1", 4),
        new AddArtifact(SHA, "hello.jar", 1234, 7_000),
        new ReserveInstanceNumbers("orders", 3));
  }

  @Test
  void eachCommandChangesWhatItSays() {
    DesiredState state = applied(oneOfEach());

    assertThat(state.index()).isEqualTo(oneOfEach().size());
    assertThat(state.scale("orders")).isEqualTo(OptionalInt.of(3));
    assertThat(state.scale("billing")).isEmpty();
    assertThat(state.scales()).isEqualTo(Map.of("orders", 3));
    assertThat(state.cordonedNodes()).containsExactly("n1", "n2", "n4");
    assertThat(state.drain("n2"))
        .contains(
            new DesiredState.Drain(
                "n2", Instant.ofEpochMilli(1_000), Optional.of(Instant.ofEpochMilli(61_000)), 2));
    assertThat(state.drains()).extracting(DesiredState.Drain::nodeId).containsExactly("n2");
    assertThat(state.cordoned("n4")).as("a drain that ended leaves its node cordoned").isTrue();
    assertThat(state.servers())
        .containsExactly(
            new DesiredState.ProviderServer(
                new Server(
                    "i-1", "ec2", "node-a", Instant.ofEpochMilli(5_000), Map.of("zone", "eu-1a")),
                true));
    assertThat(state.epoch("n1")).isEqualTo(4);
    assertThat(state.epoch("n9")).isZero();
    assertThat(state.artifact(SHA))
        .contains(new ArtifactInfo(SHA, 1234, "hello.jar", Instant.ofEpochMilli(7_000)));
    assertThat(state.lastInstanceNumber("orders")).isEqualTo(3);
    assertThat(state.lastInstanceNumber("billing")).isZero();
  }

  @Test
  void uncordonEndsADrain() {
    DesiredState state =
        applied(
            List.of(
                StartDrain.of("n1", Instant.ofEpochMilli(5), Optional.empty(), 1),
                new Uncordon("n1")));

    assertThat(state.cordoned("n1")).isFalse();
    assertThat(state.drain("n1")).isEmpty();
  }

  @Test
  void applyingACommandAgainChangesNothing() {
    List<StateCommand> all = oneOfEach();
    for (int k = 1; k <= all.size(); k++) {
      List<StateCommand> once = all.subList(0, k);
      List<StateCommand> twice = new ArrayList<>(once);
      twice.add(all.get(k - 1));
      assertThat(applied(twice).image())
          .as("%s applied twice", all.get(k - 1))
          .isEqualTo(applied(once).image());
    }
  }

  @Test
  void replayingTheWholeSequenceAgainChangesNothing() {
    List<StateCommand> twice = new ArrayList<>(oneOfEach());
    twice.addAll(oneOfEach());

    assertThat(applied(twice).image()).isEqualTo(applied(oneOfEach()).image());
  }

  @Test
  void epochsAndInstanceNumbersNeverGoBack() {
    DesiredState state =
        applied(
            List.of(
                new RecordEpoch("n1", 7),
                new RecordEpoch("n1", 3),
                new ReserveInstanceNumbers("hello", 100),
                new ReserveInstanceNumbers("hello", 4)));

    assertThat(state.epoch("n1")).isEqualTo(7);
    assertThat(state.lastInstanceNumber("hello")).isEqualTo(100);
  }

  @Test
  void anArtifactKeepsItsFirstEntry() {
    DesiredState state =
        applied(
            List.of(
                new AddArtifact(SHA, "first.jar", 10, 1),
                new AddArtifact(SHA, "second.jar", 10, 2)));

    assertThat(state.artifact(SHA).orElseThrow().name()).isEqualTo("first.jar");
  }

  @Test
  void invalidCommandsAreRefusedNamingTheField() {
    assertInvalid(() -> new SetScale("", 1), "service");
    assertInvalid(() -> new SetScale(null, 1), "service");
    assertInvalid(() -> new SetScale("orders", -1), "replicas");
    assertInvalid(() -> new ClearScale(" "), "service");
    assertInvalid(() -> new Cordon(""), "nodeId");
    assertInvalid(() -> new Uncordon(null), "nodeId");
    assertInvalid(() -> new StartDrain("n1", 100, 50, 1), "deadlineAtMs");
    assertInvalid(() -> new StartDrain("n1", -1, 0, 1), "startedAtMs");
    assertInvalid(() -> new StartDrain("n1", 100, 0, 0), "maxParallel");
    assertInvalid(() -> new EndDrain(""), "nodeId");
    assertInvalid(() -> new RecordServer("", "ec2", "a", 1, Map.of(), false), "id");
    assertInvalid(() -> new RecordServer("i-1", "", "a", 1, Map.of(), false), "kind");
    assertInvalid(() -> new RecordServer("i-1", "ec2", "", 1, Map.of(), false), "nodeName");
    assertInvalid(() -> new ServerJoined(""), "id");
    assertInvalid(() -> new ForgetServer(""), "id");
    assertInvalid(() -> new RecordEpoch("n1", 0), "epoch");
    assertInvalid(() -> new AddArtifact("ABC", "a.jar", 1, 1), "sha256");
    assertInvalid(() -> new AddArtifact(SHA, "x".repeat(257), 1, 1), "name");
    assertInvalid(() -> new AddArtifact(SHA, "a.jar", -1, 1), "sizeBytes");
    assertInvalid(() -> new ReserveInstanceNumbers("hello", 0), "through");
  }

  @Test
  void everyCommandSurvivesItsJsonForm() {
    DesiredStateCodec codec = new DesiredStateCodec();
    for (StateCommand command : oneOfEach()) {
      assertThat(codec.decode(codec.encode(command))).isEqualTo(command);
    }
    assertThat(new String(codec.encode(new SetScale("orders", 3)), UTF_8))
        .isEqualTo("{\"type\":\"set-scale\",\"service\":\"orders\",\"replicas\":3}");
  }

  @Test
  void badJsonIsAnErrorSayingWhatIsWrong() {
    assertUndecodable(
        "{\"type\":\"frobnicate\",\"service\":\"a\"}", "unknown command type 'frobnicate'");
    assertUndecodable("{\"service\":\"a\",\"replicas\":1}", "no command type");
    assertUndecodable("{\"type\":\"set-scale\",\"service\":\"a\"}", "'replicas'");
    assertUndecodable(
        "{\"type\":\"set-scale\",\"service\":\"a\",\"replicas\":-1}",
        "replicas: -1 is less than 0");
    assertUndecodable("{\"type\":\"set-scale\",\"service\":\"a\",\"replicas\":1,\"x\":1}", "\"x\"");
    assertUndecodable("{\"type\":\"set-scale\",\"serv", "malformed payload");
    assertUndecodable("{\"type\":\"cordon\",\"nodeId\":\"n1\"} {}", "malformed payload");
  }

  @Test
  void aSnapshotRestoresTheSameStateAndAnUnreadableOneChangesNothing() {
    DesiredStateCodec codec = new DesiredStateCodec();
    DesiredStateMachine source = new DesiredStateMachine(codec);
    long index = 0;
    for (StateCommand command : oneOfEach()) {
      source.apply(++index, command);
    }
    DesiredStateMachine copy = new DesiredStateMachine(codec);
    copy.restore(index, source.snapshot());
    assertThat(copy.state().image()).isEqualTo(source.state().image());
    assertThat(copy.lastAppliedIndex()).isEqualTo(index);
    assertThat(copy.snapshot()).isEqualTo(source.snapshot());

    assertThatThrownBy(() -> copy.restore(99, "{\"scales\":{}}".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(copy.state().image()).isEqualTo(source.state().image());
    assertThat(copy.lastAppliedIndex()).isEqualTo(index);
  }

  static DesiredState applied(List<StateCommand> commands) {
    DesiredStateMachine machine = new DesiredStateMachine(new DesiredStateCodec());
    long index = 0;
    for (StateCommand command : commands) {
      machine.apply(++index, command);
    }
    return machine.state();
  }

  private static void assertInvalid(ThrowingCallable build, String field) {
    assertThatThrownBy(build)
        .isInstanceOfSatisfying(
            InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  private static void assertUndecodable(String json, String message) {
    assertThatThrownBy(() -> new DesiredStateCodec().decode(json.getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
