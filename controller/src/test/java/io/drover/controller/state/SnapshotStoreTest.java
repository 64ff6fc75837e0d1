package io.drover.controller.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
  @TempDir Path dir;

  @Test
  void keepsTheNewestSnapshotsAndReadsThemBack() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    assertThat(store.indexes()).isEmpty();
    store.write(10, "ten".getBytes(UTF_8));
    store.write(20, "twenty".getBytes(UTF_8));
    store.write(30, "thirty".getBytes(UTF_8));

    assertThat(store.indexes()).containsExactly(30L, 20L);
    SnapshotStore.Snapshot read = new SnapshotStore(dir, 2).read(20);
    assertThat(read.index()).isEqualTo(20);
    assertThat(new String(read.payload(), UTF_8)).isEqualTo("twenty");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted())
          .containsExactly(SnapshotStore.fileName(20), SnapshotStore.fileName(30));
    }
  }

  @Test
  void aFlippedByteIsCaughtByTheChecksum() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    store.write(7, "{\"state\":1}".getBytes(UTF_8));
    Path file = dir.resolve(SnapshotStore.fileName(7));
    byte[] data = Files.readAllBytes(file);
    data[data.length - 3] ^= 0x04;
    Files.write(file, data);

    assertThatThrownBy(() -> store.read(7))
        .isInstanceOf(CorruptStateException.class)
        .hasMessage("snapshot: " + SnapshotStore.fileName(7) + " is corrupt (a checksum mismatch)");
  }

  @Test
  void aTruncatedOrMisnamedSnapshotIsCorrupt() throws IOException {
    SnapshotStore store = new SnapshotStore(dir, 2);
    store.write(7, "payload".getBytes(UTF_8));
    Path file = dir.resolve(SnapshotStore.fileName(7));
    byte[] data = Files.readAllBytes(file);

    Files.write(file, Arrays.copyOf(data, data.length - 1));
    assertThatThrownBy(() -> store.read(7))
        .hasMessageContaining("a payload of 6 bytes where 7 were due");
    Files.write(file, Arrays.copyOf(data, 10));
    assertThatThrownBy(() -> store.read(7)).hasMessageContaining("a short header");
    Files.write(dir.resolve(SnapshotStore.fileName(8)), data);
    assertThatThrownBy(() -> store.read(8)).hasMessageContaining("it holds index 7");
  }

  @Test
  void aSnapshotSetAsideLeavesTheRotation() {
    SnapshotStore store = new SnapshotStore(dir, 2);
    store.write(1, new byte[0]);
    store.write(2, new byte[0]);

    assertThat(store.setAside(2)).isEqualTo(SnapshotStore.fileName(2) + ".corrupt");
    assertThat(store.indexes()).containsExactly(1L);
    assertThat(dir.resolve(SnapshotStore.fileName(2) + ".corrupt")).exists();
  }

  @Test
  void whatAnInterruptedWriteLeftIsDeleted() throws IOException {
    Path leftover = dir.resolve(SnapshotStore.fileName(5) + ".tmp");
    Files.write(leftover, new byte[] {1, 2, 3});

    SnapshotStore store = new SnapshotStore(dir, 2);

    assertThat(leftover).doesNotExist();
    assertThat(store.indexes()).isEmpty();
  }
}
