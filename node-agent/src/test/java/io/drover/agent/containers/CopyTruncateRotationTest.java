package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyTruncateRotationTest {
  @TempDir Path dir;

  @Test
  void aFileUpToTheLimitStaysAndAMissingOneIsNoError() throws Exception {
    Path file = Files.writeString(dir.resolve("jvm.out"), "x".repeat(100));

    assertThat(CopyTruncateRotation.rotateIfLarger(file, 100, 3)).isFalse();
    assertThat(CopyTruncateRotation.rotateIfLarger(dir.resolve("none"), 100, 3)).isFalse();
    assertThat(Files.readString(file)).hasSize(100);
    assertThat(dir.resolve("jvm.out.1")).doesNotExist();
  }

  @Test
  void aLargerFileIsCopiedAndEmptiedInPlaceKeepingTheNewestFiles() throws Exception {
    Path file = dir.resolve("jvm.out");
    Object key = null;
    for (int round = 1; round <= 4; round++) {
      Files.writeString(file, ("round " + round + "\n").repeat(20));
      key = key == null ? Files.readAttributes(file, "unix:ino").get("ino") : key;

      assertThat(CopyTruncateRotation.rotateIfLarger(file, 100, 3)).isTrue();
    }

    // The same file (its writer keeps its descriptor), now empty; two older files kept.
    assertThat(Files.readAttributes(file, "unix:ino").get("ino")).isEqualTo(key);
    assertThat(Files.size(file)).isZero();
    assertThat(Files.readString(dir.resolve("jvm.out.1"))).isEqualTo("round 4\n".repeat(20));
    assertThat(Files.readString(dir.resolve("jvm.out.2"))).isEqualTo("round 3\n".repeat(20));
    assertThat(dir.resolve("jvm.out.3")).doesNotExist();
  }
}
