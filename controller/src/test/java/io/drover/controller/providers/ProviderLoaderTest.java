package io.drover.controller.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.config.ConfigException;
import io.drover.controller.providers.plugin.PluginOnlyProviderFactory;
import io.drover.provider.ProviderContext;
import io.drover.provider.ServerProviderFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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
    for (String sdkClass :
        List.of(
            "software.amazon.awssdk.services.ec2.Ec2Client",
            "com.azure.resourcemanager.compute.ComputeManager",
            "com.azure.identity.DefaultAzureCredential",
            "com.github.dockerjava.api.DockerClient")) {
      assertThatThrownBy(() -> Class.forName(sdkClass))
          .as(sdkClass)
          .isInstanceOf(ClassNotFoundException.class);
    }
  }

  @Test
  void aPluginInItsOwnSubdirectoryIsFoundAndItsCredentialsCheckedAtStart() throws Exception {
    Path plugins = dir.resolve("plugins");
    plugin(plugins.resolve("plugged"), "drover-provider-plugged.jar");
    assertThatThrownBy(() -> ProviderLoader.load("plugged", context(Map.of())))
        .hasMessageStartingWith("provider.kind: no provider 'plugged'");

    assertThat(
            ProviderLoader.load("plugged", context(Map.of("secret", "right")), Optional.of(plugins))
                .kind())
        .isEqualTo("plugged");
    assertThatThrownBy(
            () ->
                ProviderLoader.load(
                    "plugged", context(Map.of("secret", "wrong")), Optional.of(plugins)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "provider.plugged.secret: plugged refused the credentials at start-up (these keys, or"
                + " the default chain where they are unset): plugged list: InvalidSecret: the"
                + " secret is wrong");
  }

  @Test
  void theJarsOfAPluginDirectorysLibAreOnePlugin() throws Exception {
    Path plugins = dir.resolve("plugins");
    plugin(plugins.resolve("lib"), "drover-provider-plugged.jar");
    assertThat(
            ProviderLoader.load("plugged", context(Map.of("secret", "right")), Optional.of(plugins))
                .kind())
        .isEqualTo("plugged");
  }

  @Test
  void twoPluginsOfOneKindAreRefusedNamingBoth() throws Exception {
    Path jar = compiledTwinPlugin();
    Path plugins = dir.resolve("plugins");
    for (String copy : List.of("twin-a", "twin-b")) {
      Files.createDirectories(plugins.resolve(copy));
      Files.copy(jar, plugins.resolve(copy).resolve("drover-provider-twin.jar"));
    }

    assertThatThrownBy(() -> ProviderLoader.load("twin", context(Map.of()), Optional.of(plugins)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("provider.pluginPath: 2 plugins provide 'twin': ")
        .hasMessageContaining("twin-a/drover-provider-twin.jar")
        .hasMessageContaining("twin-b/drover-provider-twin.jar");
  }

  /**
   * A plugin jar with a factory of kind {@code twin} compiled here, so that it is on no classpath
   * but the plugin's: each plugin directory's loader defines a class of its own.
   */
  private Path compiledTwinPlugin() throws Exception {
    Path src = Files.createDirectories(dir.resolve("twin-src/twin"));
    Files.writeString(
        src.resolve("TwinFactory.java"),
        """
        package twin;

        public final class TwinFactory implements io.drover.provider.ServerProviderFactory {
          public String kind() {
            return "twin";
          }

          public io.drover.provider.ServerProvider create(io.drover.provider.ProviderContext c) {
            throw new UnsupportedOperationException("never created");
          }
        }
        """);
    Path classes = Files.createDirectories(dir.resolve("twin-classes"));
    String api =
        Path.of(
                ServerProviderFactory.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI())
            .toString();
    int exit =
        javax.tools.ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-cp",
                api,
                "-d",
                classes.toString(),
                src.resolve("TwinFactory.java").toString());
    assertThat(exit).as("javac").isZero();
    Path jar = dir.resolve("twin.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("twin/TwinFactory.class"));
      out.write(Files.readAllBytes(classes.resolve("twin/TwinFactory.class")));
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/" + ServerProviderFactory.class.getName()));
      out.write("twin.TwinFactory\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  /**
   * A plugin jar that registers {@link PluginOnlyProviderFactory}; the class itself comes from the
   * test classpath, which is the plugin loader's parent.
   */
  private static void plugin(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve(name)))) {
      jar.putNextEntry(new JarEntry("META-INF/services/" + ServerProviderFactory.class.getName()));
      jar.write(
          (PluginOnlyProviderFactory.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
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
