package io.drover.controller.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.state.StateCommand.Cordon;
import io.drover.controller.state.StateCommand.RecordEpoch;
import io.drover.controller.state.StateCommand.SetScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The desired state on disk: restarts, torn and corrupt files, bad commands. */
class DesiredStateStoreTest {
  private static final String SEGMENT = CommandLog.segmentName(1);
  private static final DurableStore.Options EVERY_2 =
      DurableStore.Options.DEFAULTS.withSnapshotEvery(2);

  @TempDir Path dir;

  @Test
  void aReopenedStoreHasTheSameState() {
    DesiredState.Image before;
    try (DesiredStateStore store = DesiredStateStore.open(dir)) {
      DesiredStateTest.oneOfEach().forEach(store::submit);
      before = store.state().image();
    }
    try (DesiredStateStore store = DesiredStateStore.open(dir)) {
      assertThat(store.state().image()).isEqualTo(before);
      assertThat(store.state().index()).isEqualTo(DesiredStateTest.oneOfEach().size());
      assertThat(store.recovery().snapshotIndex()).isZero();
      assertThat(store.recovery().clean()).isTrue();
    }
  }

  @Test
  void aReopenedStoreWithSnapshotsHasTheSameStateAndFewerSegments() throws IOException {
    DesiredState.Image before;
    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      DesiredStateTest.oneOfEach().forEach(store::submit);
      before = store.state().image();
    }
    assertThat(list(dir.resolve("log"))).doesNotContain(SEGMENT).hasSize(2);
    assertThat(list(dir.resolve("snapshots"))).hasSize(2);

    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      assertThat(store.state().image()).isEqualTo(before);
      assertThat(store.recovery().snapshotIndex()).isEqualTo(DesiredStateTest.oneOfEach().size());
      assertThat(store.recovery().replayed()).isZero();
    }
  }

  @Test
  void aTornLastRecordLeavesTheStateAsOfTheRecordBefore() throws IOException {
    List<Long> ends = submitEach(first(5));
    long lastStart = ends.get(3);
    byte[] whole = Files.readAllBytes(segment(dir));
    DesiredState.Image asOf4 = DesiredStateTest.applied(first(4)).image();

    for (long cut = lastStart + 1; cut < whole.length; cut++) {
      Path copy = dir.resolve("cut-" + cut);
      copyStore(dir, copy);
      Files.write(segment(copy), Arrays.copyOf(whole, (int) cut));
      try (DesiredStateStore store = DesiredStateStore.open(copy)) {
        assertThat(store.state().image()).as("cut at %d", cut).isEqualTo(asOf4);
        assertThat(store.state().index()).isEqualTo(4);
        assertThat(store.recovery().problems())
            .singleElement()
            .asString()
            .startsWith("log: dropped a torn record at offset " + lastStart + " of " + SEGMENT)
            .endsWith("; state is as of index 4");
      }
    }
  }

  @Test
  void aFlippedByteInTheLastRecordLeavesTheStateAsOfTheRecordBefore() throws IOException {
    List<Long> ends = submitEach(first(5));
    byte[] whole = Files.readAllBytes(segment(dir));
    whole[whole.length - 5] ^= 0x08;
    Files.write(segment(dir), whole);

    try (DesiredStateStore store = DesiredStateStore.open(dir)) {
      assertThat(store.state().image()).isEqualTo(DesiredStateTest.applied(first(4)).image());
      assertThat(store.recovery().problems())
          .containsExactly(
              "log: dropped a torn record at offset "
                  + ends.get(3)
                  + " of "
                  + SEGMENT
                  + " (a checksum mismatch); state is as of index 4");
    }
  }

  @Test
  void aFlippedByteInAMiddleRecordFailsTheOpenNamingFileAndOffset() throws IOException {
    List<Long> ends = submitEach(first(5));
    long thirdStart = ends.get(1);
    byte[] whole = Files.readAllBytes(segment(dir));
    whole[(int) thirdStart + CommandLog.HEADER_BYTES + 3] ^= 0x08;
    Files.write(segment(dir), whole);

    assertThatThrownBy(() -> DesiredStateStore.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(SEGMENT + " is corrupt at offset " + thirdStart)
        .hasMessageContaining("in the record for index 3");
  }

  @Test
  void aCorruptNewestSnapshotFallsBackAndStillReachesTheWholeState() throws IOException {
    DesiredState.Image before;
    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      DesiredStateTest.oneOfEach().forEach(store::submit);
      store.submit(new Cordon("n7"));
      before = store.state().image();
    }
    List<String> snapshots = list(dir.resolve("snapshots"));
    Path newest = dir.resolve("snapshots").resolve(snapshots.get(snapshots.size() - 1));
    byte[] data = Files.readAllBytes(newest);
    data[SnapshotStore.HEADER_BYTES + 10] ^= 0x10;
    Files.write(newest, data);

    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      assertThat(store.state().image()).isEqualTo(before);
      assertThat(store.recovery().snapshotIndex())
          .isEqualTo(DesiredStateTest.oneOfEach().size() - 2);
      assertThat(store.recovery().replayed()).isEqualTo(3);
      assertThat(store.recovery().problems())
          .hasSize(2)
          .first()
          .asString()
          .contains(newest.getFileName() + " is corrupt (a checksum mismatch)");
    }
  }

  @Test
  void anEpochNeverGoesBackAcrossRestarts() {
    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      store.submit(new RecordEpoch("n1", 5));
    }
    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      assertThat(store.state().epoch("n1")).isEqualTo(5);
      store.submit(new RecordEpoch("n1", 2)); // a late or confused caller
      assertThat(store.state().epoch("n1")).isEqualTo(5);
      // How the node registry issues the next epoch: above everything ever issued.
      long next = Math.max(store.state().epoch("n1"), 3) + 1;
      store.submit(new RecordEpoch("n1", next));
    }
    try (DesiredStateStore store = DesiredStateStore.open(dir, EVERY_2)) {
      assertThat(store.recovery().snapshotIndex()).isEqualTo(2);
      assertThat(store.state().epoch("n1")).isEqualTo(6);
    }
  }

  @Test
  void anInvalidCommandIsRefusedAndNothingStoredChanges() throws IOException {
    try (DesiredStateStore store = DesiredStateStore.open(dir)) {
      store.submit(new SetScale("orders", 2));
      byte[] logBefore = Files.readAllBytes(segment(dir));
      DesiredState.Image stateBefore = store.state().image();

      assertThatThrownBy(() -> store.submit(new SetScale("orders", -1)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessage("replicas: -1 is less than 0");
      assertThatThrownBy(() -> store.submitAll(List.of(new Cordon("n1"), new SetScale("", 1))))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessage("service: must not be empty");

      assertThat(Files.readAllBytes(segment(dir))).isEqualTo(logBefore);
      assertThat(store.state().image()).isEqualTo(stateBefore);
      assertThat(store.state().index()).isEqualTo(1);
    }
  }

  @Test
  void aLoggedCommandOfAnUnknownTypeFailsTheOpenNamingItsIndex() {
    try (CommandLog log = CommandLog.open(dir.resolve("log"))) {
      log.append("{\"type\":\"cordon\",\"nodeId\":\"n1\"}".getBytes(UTF_8));
      log.append("{\"type\":\"frobnicate\",\"nodeId\":\"n1\"}".getBytes(UTF_8));
    }
    assertThatThrownBy(() -> DesiredStateStore.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessage(
            "log: the command at index 2 cannot be read: unknown command type 'frobnicate'");
  }

  @Test
  void aLoggedCommandWithABadFieldFailsTheOpenNamingItsIndexAndField() {
    try (CommandLog log = CommandLog.open(dir.resolve("log"))) {
      log.append("{\"type\":\"set-scale\",\"service\":\"a\",\"replicas\":-4}".getBytes(UTF_8));
    }
    assertThatThrownBy(() -> DesiredStateStore.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessage("log: the command at index 1 cannot be read: replicas: -4 is less than 0");
  }

  private static List<StateCommand> first(int n) {
    return DesiredStateTest.oneOfEach().subList(0, n);
  }

  /** Submits the commands one by one; returns the segment's size after each. */
  private List<Long> submitEach(List<StateCommand> commands) throws IOException {
    List<Long> ends = new ArrayList<>();
    try (DesiredStateStore store = DesiredStateStore.open(dir)) {
      for (StateCommand command : commands) {
        store.submit(command);
        ends.add(Files.size(segment(dir)));
      }
    }
    return ends;
  }

  private static Path segment(Path store) {
    return store.resolve("log").resolve(SEGMENT);
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void copyStore(Path from, Path to) throws IOException {
    for (String sub : List.of("log", "snapshots")) {
      Files.createDirectories(to.resolve(sub));
      try (Stream<Path> files = Files.list(from.resolve(sub))) {
        for (Path file : files.toList()) {
          Files.copy(file, to.resolve(sub).resolve(file.getFileName()));
        }
      }
    }
  }
}
