package io.drover.controller.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortMapTest {
  private static Map<String, Integer> assigned(int count) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (int i = count; i > 0; i--) {
      ports.put("p" + i, 20000 + i);
    }
    return ports;
  }

  @Test
  void keepsTheOrderOfTheAssignmentAndEqualsItsSource() {
    for (int count = 0; count <= 5; count++) {
      Map<String, Integer> source = assigned(count);
      Map<String, Integer> copy = PortMap.copyOf(source);

      assertThat(copy).isEqualTo(source).hasSameHashCodeAs(source);
      assertThat(copy.keySet()).containsExactlyElementsOf(source.keySet());
      assertThat(copy.values()).containsExactlyElementsOf(source.values());
      assertThat(copy.toString()).isEqualTo(source.toString());
      source.forEach((name, port) -> assertThat(copy.get(name)).isEqualTo(port));
      assertThat(copy.get("absent")).isNull();
      assertThat(copy.containsKey("absent")).isFalse();
    }
  }

  @Test
  void aCopyIsUnmodifiableIndependentOfItsSourceAndNotCopiedAgain() {
    for (int count = 0; count <= 3; count++) {
      Map<String, Integer> source = assigned(count);
      Map<String, Integer> copy = PortMap.copyOf(source);
      source.put("later", 1);

      assertThat(copy).doesNotContainKey("later").hasSize(count);
      assertThat(PortMap.copyOf(copy)).isSameAs(copy);
      assertThatThrownBy(() -> copy.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
      if (count > 0) {
        assertThatThrownBy(() -> copy.entrySet().iterator().next().setValue(1))
            .isInstanceOf(UnsupportedOperationException.class);
      }
    }
  }
}
