package io.drover.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A snapshot written before API tokens existed (no "tokens" field) still reads, with none. */
class SnapshotBeforeTokensTest {
  @Test
  void anOldSnapshotReadsWithNoTokens() {
    DesiredStateCodec codec = new DesiredStateCodec();
    DesiredState state = new DesiredState();
    state.apply(1, new StateCommand.SetScale("hello", 3));
    String json = new String(codec.encodeImage(state.image()), StandardCharsets.UTF_8);
    assertThat(json).contains("\"tokens\":{}");
    String old = json.replace(",\"tokens\":{}", "");
    assertThat(old).doesNotContain("tokens");

    DesiredState restored = new DesiredState();
    restored.replace(1, codec.decodeImage(old.getBytes(StandardCharsets.UTF_8)));
    assertThat(restored.scale("hello")).hasValue(3);
    assertThat(restored.tokens()).isEmpty();
  }
}
