package io.drover.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerConfigTest {
  private final Map<String, String> env =
      new HashMap<>(
          Map.of(
              "DROVER_CONTAINER_ID", "c-1",
              "DROVER_CONTAINER_SECRET", "s3cret",
              "DROVER_AGENT_LINK", "127.0.0.1:7482"));

  @Test
  void defaults() {
    ContainerConfig config = ContainerConfig.fromEnvironment(env);
    assertThat(config.containerId()).isEqualTo("c-1");
    assertThat(config.agentLink().tcp().port()).isEqualTo(7482);
    assertThat(config.agentLink().isUnix()).isFalse();
    assertThat(config.log()).isNull();
    assertThat(config.logMaxBytes()).isEqualTo(10L << 20);
    assertThat(config.attachTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.cold()).isFalse();
    assertThat(config.warmup()).isTrue();
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void readsEverySetting() {
    env.put("DROVER_CONTAINER_LOG", "/var/log/c-1.log");
    env.put("DROVER_CONTAINER_LOG_MAX_BYTES", "1MiB");
    env.put("DROVER_ATTACH_TIMEOUT", "1500ms");
    env.put("PORT", "20001");
    ContainerConfig config = ContainerConfig.fromEnvironment(env);
    assertThat(config.log()).isEqualTo(Path.of("/var/log/c-1.log"));
    assertThat(config.logMaxBytes()).isEqualTo(1L << 20);
    assertThat(config.attachTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.coldPort()).isEqualTo(20001);
    assertThat(config.warmup()).as("a cold container does not warm up").isFalse();
    env.put("DROVER_ATTACH_TIMEOUT", "5");
    assertThat(ContainerConfig.fromEnvironment(env).attachTimeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theAgentLinkMayBeAUnixSocket() {
    env.put("DROVER_AGENT_LINK", "unix:/var/lib/drover/agent/run/link.sock");
    ContainerConfig config = ContainerConfig.fromEnvironment(env);
    assertThat(config.agentLink().unixSocket())
        .contains(Path.of("/var/lib/drover/agent/run/link.sock"));
    assertThat(config.agentLink()).hasToString("unix:/var/lib/drover/agent/run/link.sock");
    env.put("DROVER_AGENT_LINK", "unix:///run/link.sock");
    assertThat(ContainerConfig.fromEnvironment(env).agentLink().unixSocket())
        .contains(Path.of("/run/link.sock"));
    env.put("DROVER_AGENT_LINK", "unix:relative.sock");
    assertThatThrownBy(() -> ContainerConfig.fromEnvironment(env))
        .hasMessageStartingWith("DROVER_AGENT_LINK: ")
        .hasMessageContaining("unix:/ABSOLUTE/PATH");
  }

  @Test
  void namesTheVariableThatIsWrong() {
    env.remove("DROVER_CONTAINER_SECRET");
    assertThatThrownBy(() -> ContainerConfig.fromEnvironment(env))
        .hasMessage("DROVER_CONTAINER_SECRET is not set");
    env.put("DROVER_CONTAINER_SECRET", "x");
    env.put("DROVER_AGENT_LINK", "nowhere");
    assertThatThrownBy(() -> ContainerConfig.fromEnvironment(env))
        .hasMessageStartingWith("DROVER_AGENT_LINK: ");
    env.put("DROVER_AGENT_LINK", "127.0.0.1:1");
    env.put("DROVER_ATTACH_TIMEOUT", "soon");
    assertThatThrownBy(() -> ContainerConfig.fromEnvironment(env))
        .hasMessageStartingWith("DROVER_ATTACH_TIMEOUT: ");
    env.remove("DROVER_ATTACH_TIMEOUT");
    env.put("DROVER_PORT", "70000");
    assertThatThrownBy(() -> ContainerConfig.fromEnvironment(env))
        .hasMessageStartingWith("DROVER_PORT: ");
  }
}
