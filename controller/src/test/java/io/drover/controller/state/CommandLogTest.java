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

class CommandLogTest {
  private static final String FIRST = CommandLog.segmentName(1);

  @TempDir Path dir;

  @Test
  void recordsSurviveReopenInOrder() {
    try (CommandLog log = CommandLog.open(dir)) {
      assertThat(log.lastIndex()).isZero();
      assertThat(log.append(bytes("one"))).isEqualTo(1);
      assertThat(log.appendAll(List.of(bytes("two"), bytes("three")))).isEqualTo(3);
    }
    try (CommandLog log = CommandLog.open(dir)) {
      assertThat(log.tornTail()).isEmpty();
      assertThat(log.lastIndex()).isEqualTo(3);
      assertThat(read(log, 1)).containsExactly("1:one", "2:two", "3:three");
      assertThat(read(log, 3)).containsExactly("3:three");
      assertThat(read(log, 4)).isEmpty();
      assertThat(log.append(bytes("four"))).isEqualTo(4);
    }
    assertThat(dir.resolve(FIRST)).exists();
  }

  @Test
  void startsNewSegmentsPastTheirSizeAndDropsCoveredOnes() throws IOException {
    try (CommandLog log = CommandLog.open(dir, 64)) {
      for (int i = 1; i <= 10; i++) {
        log.append(bytes("record-" + i)); // 24 bytes framed: two per segment
      }
      assertThat(segments()).hasSize(5).startsWith(FIRST).contains(CommandLog.segmentName(9));
      assertThat(log.dropThrough(4)).isEqualTo(2);
      assertThat(log.firstIndex()).isEqualTo(5);
      assertThat(log.dropThrough(5)).isZero(); // segment 5-6 still holds 6
      assertThatThrownBy(() -> read(log, 4)).hasMessageContaining("starts at index 5");
    }
    try (CommandLog log = CommandLog.open(dir, 64)) {
      assertThat(log.firstIndex()).isEqualTo(5);
      assertThat(read(log, 5)).hasSize(6).startsWith("5:record-5").endsWith("10:record-10");
    }
  }

  @Test
  void rollOverStartsASegmentAtTheNextIndexOnlyWhenTheCurrentOneHoldsRecords() throws IOException {
    try (CommandLog log = CommandLog.open(dir)) {
      log.rollOver();
      assertThat(segments()).containsExactly(FIRST);
      log.append(bytes("one"));
      log.rollOver();
      log.rollOver();
      assertThat(segments()).containsExactly(FIRST, CommandLog.segmentName(2));
      assertThat(log.dropThrough(1)).isEqualTo(1);
      assertThat(log.append(bytes("two"))).isEqualTo(2);
    }
  }

  @Test
  void aTornLastRecordIsCutOffAtEveryOffsetInsideIt() throws IOException {
    byte[] whole = threeRecords();
    int lastStart = whole.length - CommandLog.HEADER_BYTES - "three".length();
    for (int cut = lastStart + 1; cut < whole.length; cut++) {
      Path copy = dir.resolve("cut-" + cut);
      Files.createDirectories(copy);
      Files.write(copy.resolve(FIRST), java.util.Arrays.copyOf(whole, cut));
      try (CommandLog log = CommandLog.open(copy)) {
        assertThat(log.lastIndex()).as("cut at %d", cut).isEqualTo(2);
        CommandLog.TornTail torn = log.tornTail().orElseThrow();
        assertThat(torn.file()).isEqualTo(FIRST);
        assertThat(torn.offset()).isEqualTo(lastStart);
        assertThat(torn.bytesCut()).isEqualTo(cut - lastStart);
        assertThat(torn.reason()).containsAnyOf("short header", "truncated payload");
        assertThat(Files.size(copy.resolve(FIRST))).isEqualTo(lastStart);
        // The log goes on after the cut, at the index the torn record had.
        assertThat(log.append(bytes("again"))).isEqualTo(3);
      }
      try (CommandLog log = CommandLog.open(copy)) {
        assertThat(log.tornTail()).isEmpty();
        assertThat(read(log, 1)).containsExactly("1:one", "2:two", "3:again");
      }
    }
  }

  @Test
  void aLastRecordWithAFlippedByteIsCutOff() throws IOException {
    byte[] whole = threeRecords();
    whole[whole.length - 2] ^= 0x20;
    Files.write(dir.resolve(FIRST), whole);
    try (CommandLog log = CommandLog.open(dir)) {
      assertThat(log.lastIndex()).isEqualTo(2);
      assertThat(log.tornTail().orElseThrow().reason()).isEqualTo("a checksum mismatch");
    }
  }

  @Test
  void zerosAfterTheLastRecordAreCutOff() throws IOException {
    byte[] whole = threeRecords();
    Files.write(dir.resolve(FIRST), java.util.Arrays.copyOf(whole, whole.length + 4096));
    try (CommandLog log = CommandLog.open(dir)) {
      assertThat(log.lastIndex()).isEqualTo(3);
      assertThat(log.tornTail().orElseThrow().offset()).isEqualTo(whole.length);
    }
  }

  @Test
  void aBadRecordInTheMiddleFailsTheOpenNamingFileAndOffset() throws IOException {
    byte[] whole = threeRecords();
    int secondStart = CommandLog.HEADER_BYTES + "one".length();
    whole[secondStart + CommandLog.HEADER_BYTES] ^= 0x01; // the payload of record 2
    Files.write(dir.resolve(FIRST), whole);

    assertThatThrownBy(() -> CommandLog.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(FIRST)
        .hasMessageContaining("corrupt at offset " + secondStart)
        .hasMessageContaining("a checksum mismatch in the record for index 2")
        .hasMessageContaining("a good record follows at offset " + (secondStart + 19));
    assertThat(Files.readAllBytes(dir.resolve(FIRST))).isEqualTo(whole); // nothing cut
  }

  @Test
  void aBadLengthInTheMiddleFailsTheOpen() throws IOException {
    byte[] whole = threeRecords();
    int secondStart = CommandLog.HEADER_BYTES + "one".length();
    whole[secondStart] = 0x7f; // a length far beyond the file
    Files.write(dir.resolve(FIRST), whole);

    assertThatThrownBy(() -> CommandLog.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("corrupt at offset " + secondStart)
        .hasMessageContaining("a bad length");
  }

  @Test
  void aBadRecordAtTheEndOfAnOlderSegmentFailsTheOpen() throws IOException {
    try (CommandLog log = CommandLog.open(dir)) {
      log.append(bytes("one"));
      log.rollOver();
      log.append(bytes("two"));
    }
    Path first = dir.resolve(FIRST);
    byte[] data = Files.readAllBytes(first);
    Files.write(first, java.util.Arrays.copyOf(data, data.length - 1));

    assertThatThrownBy(() -> CommandLog.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(FIRST + " is corrupt at offset 0")
        .hasMessageContaining("later segments follow");
  }

  @Test
  void aMissingSegmentFailsTheOpen() throws IOException {
    try (CommandLog log = CommandLog.open(dir)) {
      log.append(bytes("one"));
      log.rollOver();
      log.append(bytes("two"));
      log.rollOver();
      log.append(bytes("three"));
    }
    Files.delete(dir.resolve(CommandLog.segmentName(2)));

    assertThatThrownBy(() -> CommandLog.open(dir))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(CommandLog.segmentName(3) + " starts at index 3")
        .hasMessageContaining("ends at index 1");
  }

  @Test
  void resetAfterContinuesPastTheGivenIndex() throws IOException {
    try (CommandLog log = CommandLog.open(dir)) {
      log.append(bytes("one"));
      assertThatThrownBy(() -> log.resetAfter(0)).hasMessageContaining("before the log's last");
      log.resetAfter(41);
      assertThat(log.firstIndex()).isEqualTo(42);
      assertThat(log.append(bytes("forty-two"))).isEqualTo(42);
    }
    assertThat(segments()).containsExactly(CommandLog.segmentName(42));
    try (CommandLog log = CommandLog.open(dir)) {
      assertThat(read(log, 42)).containsExactly("42:forty-two");
    }
  }

  @Test
  void aPayloadOverTheLimitIsRefusedAndNothingIsWritten() {
    try (CommandLog log = CommandLog.open(dir)) {
      assertThatThrownBy(() -> log.append(new byte[CommandLog.MAX_PAYLOAD_BYTES + 1]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("payload:");
      assertThat(log.lastIndex()).isZero();
      assertThat(log.append(bytes("one"))).isEqualTo(1);
    }
  }

  /** A single segment holding "one", "two", "three" at indexes 1 to 3, as bytes. */
  private byte[] threeRecords() throws IOException {
    Path template = dir.resolve("template");
    try (CommandLog log = CommandLog.open(template)) {
      log.append(bytes("one"));
      log.append(bytes("two"));
      log.append(bytes("three"));
    }
    return Files.readAllBytes(template.resolve(FIRST));
  }

  private List<String> segments() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> read(CommandLog log, long from) {
    List<String> records = new ArrayList<>();
    log.replay(from, (index, payload) -> records.add(index + ":" + new String(payload, UTF_8)));
    return records;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
