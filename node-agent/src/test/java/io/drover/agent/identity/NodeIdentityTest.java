package io.drover.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
  @TempDir Path dir;

  @Test
  void createdOnceThenKept() {
    Path data = dir.resolve("a/b");
    String id = NodeIdentity.loadOrCreate(data);
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(NodeIdentity.loadOrCreate(data)).isEqualTo(id);
    assertThat(NodeIdentity.loadOrCreate(dir.resolve("other"))).isNotEqualTo(id);
  }

  @Test
  void aDamagedFileIsReportedNotReplaced() throws Exception {
    Files.writeString(dir.resolve(NodeIdentity.FILE), "garbage");
    assertThatThrownBy(() -> NodeIdentity.loadOrCreate(dir))
        .hasMessageContaining("not a node id")
        .hasMessageContaining(dir.resolve(NodeIdentity.FILE).toString());
    assertThat(Files.readString(dir.resolve(NodeIdentity.FILE))).isEqualTo("garbage");
  }
}
