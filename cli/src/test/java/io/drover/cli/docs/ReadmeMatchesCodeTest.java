package io.drover.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.agent.config.AgentSettings;
import io.drover.common.config.ConfigKey;
import io.drover.common.metrics.MetricsSettings;
import io.drover.controller.config.ControllerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's configuration tables list every setting, with its flag and variable. */
class ReadmeMatchesCodeTest {

  @Test
  void everyConfigKeyIsDocumented() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    List<ConfigKey<?>> keys = new java.util.ArrayList<>(ControllerSettings.ALL);
    keys.addAll(AgentSettings.ALL);
    keys.addAll(MetricsSettings.ALL);
    for (ConfigKey<?> key : keys) {
      assertThat(readme)
          .as("README row for %s", key.name())
          .contains(
              "| `" + key.name() + "` | `" + key.flagName() + "` | `" + key.envName() + "` |");
    }
  }
}
