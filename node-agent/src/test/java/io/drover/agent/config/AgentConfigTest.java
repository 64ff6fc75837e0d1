package io.drover.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.config.ConfigException;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  static final Optional<PortRange> KERNEL = Optional.of(new PortRange(32768, 60999));
  @TempDir Path dir;

  @Test
  void defaultsMatchTheDesign() {
    AgentConfig c = AgentConfig.from(Settings.builder(AgentSettings.ALL).build(), "host-1", KERNEL);
    assertThat(c.controller()).isEqualTo(new HostPort("127.0.0.1", 7400));
    assertThat(c.httpListen().port()).isEqualTo(7481);
    assertThat(c.ports()).isEqualTo(new PortRange(20000, 32000));
    assertThat(c.name()).isEqualTo("host-1");
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/drover/agent"));
  }

  @Test
  void aPortRangeOverlappingTheKernelsEphemeralRangeIsRefusedAtStart() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "ports: 30000-40000\n");
    Settings s = Settings.builder(AgentSettings.ALL).file(file).build();
    assertThatThrownBy(() -> AgentConfig.from(s, "h", KERNEL))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ":1:8: ports: 30000-40000 overlaps the kernel's ephemeral")
        .hasMessageContaining("32768-60999");
  }

  @Test
  void fileEnvironmentAndFlagsCombine() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(
        file, "controller: 10.0.0.5:7400\nreconnect:\n  maxBackoff: 10s\nname: from-file\n");
    Settings s =
        Settings.builder(AgentSettings.ALL)
            .file(file)
            .environment(Map.of("DROVER_NAME", "from-env", "DROVER_PORTS", "21000-22000"))
            .flag("name", "from-flag")
            .build();
    AgentConfig c = AgentConfig.from(s, "h", KERNEL);
    assertThat(c.controller().host()).isEqualTo("10.0.0.5");
    assertThat(c.name()).isEqualTo("from-flag");
    assertThat(c.ports()).isEqualTo(new PortRange(21000, 22000));
    assertThat(c.reconnectMaxBackoff()).hasSeconds(10);
  }

  @Test
  void badNameAndBackoffOrderAreReportedTogether() {
    Settings s =
        Settings.builder(AgentSettings.ALL)
            .flag("name", "no spaces please")
            .flag("reconnect.initialBackoff", "1m")
            .flag("reconnect.maxBackoff", "10s")
            .build();
    assertThatThrownBy(() -> AgentConfig.from(s, "h", KERNEL))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(2)
                    .anyMatch(p -> p.startsWith("--name: name: 'no spaces please'"))
                    .anyMatch(p -> p.contains("reconnect.initialBackoff must not exceed")));
  }
}
