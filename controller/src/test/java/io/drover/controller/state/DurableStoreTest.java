package io.drover.controller.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store around a minimal state machine: a list of the texts submitted. */
class DurableStoreTest {
  private static final DurableStore.Options EVERY_3 =
      DurableStore.Options.DEFAULTS.withSnapshotEvery(3);

  @TempDir Path dir;

  @Test
  void aReopenedStoreHasEveryCommandSubmitted() {
    try (DurableStore<String> store = open(DurableStore.Options.DEFAULTS)) {
      assertThat(store.recovery()).isEqualTo(new RecoveryReport(0, 0, 0, List.of()));
      assertThat(store.submit("a")).isEqualTo(1);
      assertThat(store.submitAll(List.of("b", "c"))).isEqualTo(3);
    }
    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThat(journal.entries).containsExactly("a", "b", "c");
      assertThat(store.recovery().clean()).isTrue();
      assertThat(store.recovery().summary())
          .isEqualTo("state is as of index 3: no snapshot, 3 commands replayed from the log");
    }
  }

  @Test
  void snapshotsShortenTheReplayAndTheLogBehindTheOlderOneIsDeleted() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      for (String s : List.of("a", "b", "c", "d", "e", "f", "g")) {
        store.submit(s);
      }
    }
    assertThat(files("snapshots"))
        .containsExactly(SnapshotStore.fileName(3), SnapshotStore.fileName(6));
    // Segment 1-3 is covered by both snapshots; 4-6 is kept to fall back on snapshot 3.
    assertThat(files("log")).containsExactly(CommandLog.segmentName(4), CommandLog.segmentName(7));

    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThat(journal.entries).containsExactly("a", "b", "c", "d", "e", "f", "g");
      assertThat(store.recovery()).isEqualTo(new RecoveryReport(7, 6, 1, List.of()));
      // The command replayed counts towards the next snapshot.
      store.submitAll(List.of("h", "i"));
    }
    assertThat(files("snapshots"))
        .containsExactly(SnapshotStore.fileName(6), SnapshotStore.fileName(9));
  }

  @Test
  void aCorruptNewestSnapshotFallsBackOnTheOlderOneAndMoreOfTheLog() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      for (String s : List.of("a", "b", "c", "d", "e", "f", "g")) {
        store.submit(s);
      }
    }
    flipLastByte(dir.resolve("snapshots").resolve(SnapshotStore.fileName(6)));

    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThat(journal.entries).containsExactly("a", "b", "c", "d", "e", "f", "g");
      RecoveryReport report = store.recovery();
      assertThat(report.snapshotIndex()).isEqualTo(3);
      assertThat(report.replayed()).isEqualTo(4);
      assertThat(report.problems())
          .containsExactly(
              "snapshot: "
                  + SnapshotStore.fileName(6)
                  + " is corrupt (a checksum mismatch); set aside as "
                  + SnapshotStore.fileName(6)
                  + ".corrupt",
              "snapshot: fell back to "
                  + SnapshotStore.fileName(3)
                  + "; the log is replayed from index 4");
    }
  }

  @Test
  void withoutASnapshotToFallBackOnTheOpenFailsRatherThanLoseCommands() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      for (String s : List.of("a", "b", "c", "d", "e", "f", "g")) {
        store.submit(s);
      }
    }
    flipLastByte(dir.resolve("snapshots").resolve(SnapshotStore.fileName(6)));
    flipLastByte(dir.resolve("snapshots").resolve(SnapshotStore.fileName(3)));

    assertThatThrownBy(() -> open(EVERY_3))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageStartingWith(
            "log: starts at index 4 but the state is restored only up to index 0,"
                + " so commands 1 to 3 are lost")
        .hasMessageContaining(SnapshotStore.fileName(3) + " is corrupt");
  }

  @Test
  void theOnlySnapshotCorruptReplaysTheWholeLog() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      store.submitAll(List.of("a", "b", "c", "d"));
    }
    assertThat(files("snapshots")).containsExactly(SnapshotStore.fileName(4));
    flipLastByte(dir.resolve("snapshots").resolve(SnapshotStore.fileName(4)));

    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThat(journal.entries).containsExactly("a", "b", "c", "d");
      assertThat(store.recovery().problems())
          .last()
          .isEqualTo("snapshot: none could be read; the log is replayed from its start");
    }
  }

  @Test
  void aTornRecordIsReportedWithTheIndexTheStateIsAsOf() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      store.submit("a");
      store.submit("b");
    }
    Path segment = dir.resolve("log").resolve(CommandLog.segmentName(1));
    long size = Files.size(segment);
    Files.write(segment, new byte[] {0, 0, 0, 9, 1}, java.nio.file.StandardOpenOption.APPEND);

    try (DurableStore<String> store = open(EVERY_3)) {
      assertThat(store.recovery().problems())
          .containsExactly(
              "log: dropped a torn record at offset "
                  + size
                  + " of "
                  + CommandLog.segmentName(1)
                  + " (a short header: 5 of 16 bytes); state is as of index 2");
      assertThat(store.submit("c")).isEqualTo(3);
    }
  }

  @Test
  void aCommandTheCodecRefusesIsNeitherLoggedNorApplied() {
    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      store.submit("a");
      assertThatThrownBy(() -> store.submitAll(List.of("b", "")))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.lastIndex()).isEqualTo(1);
      assertThat(journal.entries).containsExactly("a");
    }
    Journal reopened = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, reopened, TEXT, EVERY_3)) {
      assertThat(reopened.entries).containsExactly("a");
    }
  }

  @Test
  void aLoggedCommandThatDoesNotDecodeFailsTheOpenNamingItsIndex() {
    try (CommandLog log = CommandLog.open(dir.resolve("log"))) {
      log.append("a".getBytes(UTF_8));
      log.append("!bogus".getBytes(UTF_8));
    }
    assertThatThrownBy(() -> open(EVERY_3))
        .isInstanceOf(CorruptStateException.class)
        .hasMessage("log: the command at index 2 cannot be read: unknown command '!bogus'");
  }

  @Test
  void aLogBehindTheSnapshotContinuesAfterIt() throws IOException {
    try (DurableStore<String> store = open(EVERY_3)) {
      store.submitAll(List.of("a", "b", "c"));
    }
    try (var files = Files.list(dir.resolve("log"))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Journal journal = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThat(journal.entries).containsExactly("a", "b", "c");
      assertThat(store.recovery().problems())
          .containsExactly(
              "log: ended at index 0, before the snapshot at 3; it continues after the snapshot");
      assertThat(store.submit("d")).isEqualTo(4);
    }
    Journal reopened = new Journal();
    try (DurableStore<String> store = DurableStore.open(dir, reopened, TEXT, EVERY_3)) {
      assertThat(reopened.entries).containsExactly("a", "b", "c", "d");
    }
  }

  @Test
  void aStoreWhoseMachineFailedTakesNoMoreCommands() {
    Journal journal =
        new Journal() {
          @Override
          public void apply(long index, String command) {
            if (command.equals("boom")) {
              throw new IllegalStateException("boom");
            }
            super.apply(index, command);
          }
        };
    try (DurableStore<String> store = DurableStore.open(dir, journal, TEXT, EVERY_3)) {
      assertThatThrownBy(() -> store.submit("boom")).hasMessage("boom");
      assertThatThrownBy(() -> store.submit("a"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("index 1 is logged but could not be applied: boom")
          .hasMessageContaining("open the store again");
    }
  }

  private DurableStore<String> open(DurableStore.Options options) {
    return DurableStore.open(dir, new Journal(), TEXT, options);
  }

  private List<String> files(String sub) throws IOException {
    try (var files = Files.list(dir.resolve(sub))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void flipLastByte(Path file) throws IOException {
    byte[] data = Files.readAllBytes(file);
    data[data.length - 1] ^= 0x01;
    Files.write(file, data);
  }

  /** Texts; an empty one cannot be encoded, one starting with '!' cannot be decoded. */
  private static final CommandCodec<String> TEXT =
      new CommandCodec<>() {
        @Override
        public byte[] encode(String command) {
          if (command.isEmpty()) {
            throw new IllegalArgumentException("command: empty");
          }
          return command.getBytes(UTF_8);
        }

        @Override
        public String decode(byte[] payload) {
          String text = new String(payload, UTF_8);
          if (text.startsWith("!")) {
            throw new IllegalArgumentException("unknown command '" + text + "'");
          }
          return text;
        }
      };

  /** The texts applied, in order. */
  private static class Journal implements StateMachine<String> {
    final List<String> entries = new ArrayList<>();
    long index;

    @Override
    public void apply(long index, String command) {
      entries.add(command);
      this.index = index;
    }

    @Override
    public long lastAppliedIndex() {
      return index;
    }

    @Override
    public byte[] snapshot() {
      return String.join("\n", entries).getBytes(UTF_8);
    }

    @Override
    public void restore(long index, byte[] snapshot) {
      String text = new String(snapshot, UTF_8);
      entries.clear();
      if (!text.isEmpty()) {
        entries.addAll(List.of(text.split("\n")));
      }
      this.index = index;
    }
  }
}
