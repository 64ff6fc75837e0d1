package io.drover.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PortRangeTest {

  @Test
  void parsesOperatorAndKernelForms() {
    assertThat(PortRange.parse("20000-32000")).isEqualTo(new PortRange(20000, 32000));
    assertThat(PortRange.parse("32768\t60999")).isEqualTo(new PortRange(32768, 60999));
    assertThatThrownBy(() -> PortRange.parse("32000-20000")).hasMessageContaining("LOW <= HIGH");
    assertThatThrownBy(() -> PortRange.parse("abc")).hasMessageContaining("LOW-HIGH");
  }

  @Test
  void overlap() {
    PortRange drover = new PortRange(20000, 32000);
    assertThat(drover.overlaps(new PortRange(32768, 60999))).isFalse();
    assertThat(drover.overlaps(new PortRange(32000, 60999))).isTrue();
    assertThat(drover.overlaps(new PortRange(1, 20000))).isTrue();
  }

  @Test
  void splitGivesDisjointSlicesCoveringTheRange() {
    PortRange[] slices = new PortRange(20000, 32000).split(3);
    assertThat(slices).hasSize(3);
    assertThat(slices[0].low()).isEqualTo(20000);
    assertThat(slices[2].high()).isEqualTo(32000);
    for (int i = 1; i < slices.length; i++) {
      assertThat(slices[i].low()).isEqualTo(slices[i - 1].high() + 1);
    }
    assertThat(Arrays.stream(slices).mapToInt(PortRange::size).sum()).isEqualTo(12001);
  }

  @Test
  void hostPort() {
    assertThat(HostPort.parse("127.0.0.1:7400")).isEqualTo(new HostPort("127.0.0.1", 7400));
    assertThat(HostPort.parse(":7400")).isEqualTo(new HostPort("0.0.0.0", 7400));
    assertThat(HostPort.parse("[::1]:7400").toString()).isEqualTo("[::1]:7400");
    assertThat(HostPort.parse("0.0.0.0:7480").forLocalClient().host()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> HostPort.parse("host:99999")).hasMessageContaining("outside");
    assertThatThrownBy(() -> HostPort.parse("host")).hasMessageContaining("HOST:PORT");
  }
}
