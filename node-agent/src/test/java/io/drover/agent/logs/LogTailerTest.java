package io.drover.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.container.RotatingFileOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailerTest {
  @TempDir Path dir;

  private Path log() {
    return dir.resolve("service.log");
  }

  @Test
  void tailGivesTheLastLines() throws IOException {
    Files.writeString(log(), "one\ntwo\nthree\nfour\n");
    try (LogTailer tailer = LogTailer.open(log(), 2, 1024)) {
      assertThat(readAll(tailer)).isEqualTo("three\nfour\n");
    }
  }

  @Test
  void tailOfMoreLinesThanTheFileHasGivesTheWholeFile() throws IOException {
    Files.writeString(log(), "one\ntwo\n");
    try (LogTailer tailer = LogTailer.open(log(), 100, 1024)) {
      assertThat(readAll(tailer)).isEqualTo("one\ntwo\n");
    }
  }

  @Test
  void tailZeroGivesOnlyWhatComesNext() throws IOException {
    Files.writeString(log(), "old\n");
    try (LogTailer tailer = LogTailer.open(log(), 0, 1024)) {
      assertThat(tailer.next()).isNull();
      append("new\n");
      assertThat(readAll(tailer)).isEqualTo("new\n");
    }
  }

  @Test
  void anUnfinishedLastLineCountsAsALineAndWaitsForItsEnd() throws IOException {
    Files.writeString(log(), "one\ntwo\nthr");
    try (LogTailer tailer = LogTailer.open(log(), 2, 1024)) {
      assertThat(string(tailer.next())).isEqualTo("two\n");
      assertThat(tailer.next()).as("a partial line waits").isNull();
      append("ee\nfo");
      assertThat(string(tailer.next())).isEqualTo("three\n");
      assertThat(tailer.next()).isNull();
      assertThat(string(tailer.rest())).as("given up at the end").isEqualTo("fo");
      assertThat(tailer.rest()).isEmpty();
    }
  }

  @Test
  void aLineLongerThanAChunkComesInPieces() throws IOException {
    String longLine = "x".repeat(25) + "\n";
    Files.writeString(log(), "a\n" + longLine);
    try (LogTailer tailer = LogTailer.open(log(), 10, 10)) {
      StringBuilder all = new StringBuilder();
      for (byte[] chunk = tailer.next(); chunk != null; chunk = tailer.next()) {
        assertThat(chunk.length).isLessThanOrEqualTo(10);
        all.append(string(chunk));
      }
      assertThat(all).hasToString("a\n" + longLine);
    }
  }

  @Test
  void chunksEndAtALineEnd() throws IOException {
    Files.writeString(log(), "aaaa\nbbbb\ncccc\n");
    try (LogTailer tailer = LogTailer.open(log(), 10, 12)) {
      assertThat(string(tailer.next())).isEqualTo("aaaa\nbbbb\n");
      assertThat(string(tailer.next())).isEqualTo("cccc\n");
      assertThat(tailer.next()).isNull();
    }
  }

  @Test
  void tailReachesIntoTheRotatedFiles() throws IOException {
    Files.writeString(dir.resolve("service.log.2"), "one\ntwo\n");
    Files.writeString(dir.resolve("service.log.1"), "three\nfour\n");
    Files.writeString(log(), "five\n");
    try (LogTailer tailer = LogTailer.open(log(), 4, 1024)) {
      assertThat(readAll(tailer)).isEqualTo("two\nthree\nfour\nfive\n");
    }
  }

  @Test
  void followsTheLogAcrossRotationsByTheContainersWriter() throws IOException {
    // The container's own writer: rotates at 64 bytes and keeps three files.
    try (RotatingFileOutputStream writer = new RotatingFileOutputStream(log(), 64, 3)) {
      writer.write(bytes("before the tail\n"));
      writer.flush();
      try (LogTailer tailer = LogTailer.open(log(), 0, 1024)) {
        StringBuilder expected = new StringBuilder();
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < 40; i++) {
          String line = "line " + i + " of the service\n";
          writer.write(bytes(line));
          writer.flush();
          expected.append(line);
          // Read every few lines: several rotations may pass between two reads.
          if (i % 3 == 0) {
            read.append(readAll(tailer));
          }
        }
        read.append(readAll(tailer));
        assertThat(Files.exists(dir.resolve("service.log.2"))).as("the log rotated").isTrue();
        assertThat(read).hasToString(expected.toString());
      }
    }
  }

  @Test
  void aLineSplitByARotationIsWholeWhenRead() throws IOException {
    Files.writeString(log(), "first\nsecond ha");
    try (LogTailer tailer = LogTailer.open(log(), 10, 1024)) {
      assertThat(string(tailer.next())).isEqualTo("first\n");
      assertThat(tailer.next()).isNull();
      append("lf");
      Files.move(log(), dir.resolve("service.log.1"));
      Files.writeString(log(), "\nthird\n");
      assertThat(readAll(tailer)).isEqualTo("second half\nthird\n");
    }
  }

  @Test
  void aRotatedLogThatIsNotYetCreatedAgainIsWaitedFor() throws IOException {
    Files.writeString(log(), "one\n");
    try (LogTailer tailer = LogTailer.open(log(), 10, 1024)) {
      assertThat(readAll(tailer)).isEqualTo("one\n");
      append("two\n");
      Files.move(log(), dir.resolve("service.log.1"));
      assertThat(readAll(tailer)).as("what the old file got before its rename").isEqualTo("two\n");
      Files.writeString(log(), "three\n");
      assertThat(readAll(tailer)).isEqualTo("three\n");
    }
  }

  @Test
  void aMissingLogIsNoSuchFile() {
    assertThatThrownBy(() -> LogTailer.open(log(), 10, 1024))
        .isInstanceOf(NoSuchFileException.class);
  }

  private static String readAll(LogTailer tailer) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] chunk = tailer.next(); chunk != null; chunk = tailer.next()) {
      all.write(chunk);
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  private void append(String text) throws IOException {
    Files.writeString(log(), text, StandardOpenOption.APPEND);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
