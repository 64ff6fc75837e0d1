package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileOutputStreamTest {
  @TempDir Path dir;

  @Test
  void keepsAtMostThreeFilesUnderTheLimit() throws IOException {
    Path log = dir.resolve("c1.log");
    try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 1000, 3)) {
      for (int i = 0; i < 500; i++) {
        out.write(String.format("line %04d of the service%n", i).getBytes(StandardCharsets.UTF_8));
      }
    }
    List<Path> files = files();
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("c1.log", "c1.log.1", "c1.log.2");
    for (Path file : files) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(1000);
    }
    // Newest in c1.log; lines are never split when they fit in a file.
    List<String> newest = Files.readAllLines(log);
    assertThat(newest).last().isEqualTo("line 0499 of the service");
    assertThat(newest).allMatch(l -> l.matches("line \\d{4} of the service"));
    List<String> older = Files.readAllLines(RotatingFileOutputStream.rotated(log, 1));
    int lastOlder = Integer.parseInt(older.get(older.size() - 1).substring(5, 9));
    int firstNewest = Integer.parseInt(newest.get(0).substring(5, 9));
    assertThat(firstNewest).isEqualTo(lastOlder + 1);
  }

  @Test
  void splitsAWriteLargerThanAFile() throws IOException {
    Path log = dir.resolve("big.log");
    byte[] big = new byte[2500];
    java.util.Arrays.fill(big, (byte) 'x');
    try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 1000, 3)) {
      out.write('a');
      out.write(big);
      out.write('b');
    }
    long total = 0;
    for (Path file : files()) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(1000);
      total += Files.size(file);
    }
    assertThat(files()).hasSize(3);
    // 'a' and 999 x fill the first file, 1000 x the second, the rest and 'b' the third.
    assertThat(total).isEqualTo(2502);
    assertThat(Files.readString(RotatingFileOutputStream.rotated(log, 2))).startsWith("ax");
    assertThat(Files.readString(log)).endsWith("b");
  }

  @Test
  void appendsToAnExistingLogAndCountsItsSize() throws IOException {
    Path log = dir.resolve("again.log");
    Files.writeString(log, "x".repeat(900));
    try (RotatingFileOutputStream out = new RotatingFileOutputStream(log, 1000, 3)) {
      out.write("y".repeat(200).getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Files.readString(RotatingFileOutputStream.rotated(log, 1))).hasSize(900);
    assertThat(Files.readString(log)).isEqualTo("y".repeat(200));
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> all = Files.list(dir)) {
      return all.sorted().collect(Collectors.toList());
    }
  }
}
