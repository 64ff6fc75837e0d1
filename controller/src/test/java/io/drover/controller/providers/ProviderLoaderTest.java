package io.drover.controller.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.config.ConfigException;
import io.drover.provider.ProviderContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderLoaderTest {
  @TempDir Path dir;

  @Test
  void theBuiltInProvidersAreFoundAndNoCloudSdkIsOnTheControllersPath() {
    assertThat(ProviderLoader.load("standalone", context(Map.of())).kind()).isEqualTo("standalone");
    assertThat(ProviderLoader.load("local", context(Map.of())).kind()).isEqualTo("local");
    assertThatThrownBy(() -> ProviderLoader.load("ec2", context(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("provider.kind: no provider 'ec2'")
        .hasMessageContaining("known: local, standalone")
        .hasMessageContaining("provider.pluginPath");
    assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.services.ec2.Ec2Client"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aProvidersBadSettingIsNamedByItsKey() {
    assertThatThrownBy(() -> ProviderLoader.load("local", context(Map.of("maxServers", "zero"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("provider.local.maxServers: 'zero' is not a whole number");
  }

  @Test
  void aPluginPathThatIsNoDirectoryIsRefused() {
    assertThatThrownBy(
            () ->
                ProviderLoader.load(
                    "standalone", context(Map.of()), Optional.of(dir.resolve("missing"))))
        .hasMessageStartingWith("provider.pluginPath: ")
        .hasMessageContaining("is not a directory");
  }

  private ProviderContext context(Map<String, String> settings) {
    return new ProviderContext("127.0.0.1:7400", dir, settings, "test");
  }
}
