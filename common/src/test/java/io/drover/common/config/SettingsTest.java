package io.drover.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.net.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  static final ConfigKey<HostPort> LISTEN =
      ConfigKey.hostPort("http.listen", HostPort.parse("0.0.0.0:7481"), "HTTP address");
  static final ConfigKey<Duration> INTERVAL =
      ConfigKey.duration(
          "telemetryInterval",
          Duration.ofSeconds(1),
          Duration.ofMillis(100),
          Duration.ofMinutes(1),
          "how often");
  static final ConfigKey<String> NAME = ConfigKey.string("name", null, "node name");
  static final ConfigKey<Integer> POOL = ConfigKey.integer("pool", 2, 0, 64, "pool size");
  static final List<ConfigKey<?>> KEYS = List.of(LISTEN, INTERVAL, NAME, POOL);

  @TempDir Path dir;

  @Test
  void aDurationThatMayBeOffTakesEmptyZeroAndOffForNever() {
    ConfigKey<Duration> key =
        ConfigKey.durationOrNever(
            "stopWorkloadsAfterDisconnect", Duration.ofSeconds(1), Duration.ofDays(30), "when");
    assertThat(key.defaultValue()).isZero();
    for (String never : List.of("", "0", "off", "never")) {
      assertThat(key.parse(never)).as(never).isZero();
    }
    assertThat(key.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> key.parse("10ms")).hasMessageContaining("0 or empty for never");
    assertThatThrownBy(() -> key.parse("soon")).hasMessageContaining("not a duration");
    assertThat(
            Settings.builder(List.of(key))
                .flag("stopWorkloadsAfterDisconnect", "")
                .build()
                .get(key))
        .isZero();
  }

  @Test
  void namesForEnvironmentAndFlags() {
    assertThat(LISTEN.envName()).isEqualTo("DROVER_HTTP_LISTEN");
    assertThat(LISTEN.flagName()).isEqualTo("--http-listen");
    assertThat(INTERVAL.envName()).isEqualTo("DROVER_TELEMETRY_INTERVAL");
    assertThat(INTERVAL.flagName()).isEqualTo("--telemetry-interval");
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    Settings s = Settings.builder(KEYS).environment(Map.of()).build();
    assertThat(s.get(LISTEN)).isEqualTo(new HostPort("0.0.0.0", 7481));
    assertThat(s.get(INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.get(NAME)).isNull();
    assertThat(s.origin(POOL)).isEqualTo("default");
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
    Path file = write("name: from-file\npool: 3\nhttp:\n  listen: 10.0.0.1:9000\n");
    Settings s =
        Settings.builder(KEYS)
            .file(file)
            .environment(Map.of("DROVER_NAME", "from-env", "DROVER_POOL", "4"))
            .flag("name", "from-flag")
            .build();
    assertThat(s.get(NAME)).isEqualTo("from-flag");
    assertThat(s.origin(NAME)).isEqualTo("--name");
    assertThat(s.get(POOL)).isEqualTo(4);
    assertThat(s.origin(POOL)).isEqualTo("DROVER_POOL");
    assertThat(s.get(LISTEN)).isEqualTo(new HostPort("10.0.0.1", 9000));
    assertThat(s.origin(LISTEN)).isEqualTo(file + ":4:11");
  }

  @Test
  void badValuesNameTheKeyAndWhereTheyCameFrom() throws Exception {
    Path file = write("telemetryInterval: 5 parsecs\npool: 99\n");
    assertThatThrownBy(
            () ->
                Settings.builder(KEYS)
                    .file(file)
                    .environment(Map.of("DROVER_HTTP_LISTEN", "nohost"))
                    .build())
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .containsExactlyInAnyOrder(
                        "DROVER_HTTP_LISTEN: http.listen: 'nohost' is not HOST:PORT",
                        file
                            + ":1:20: telemetryInterval: '5 parsecs' is not a duration such as"
                            + " 500ms, 5s, 2m, 1h or 1d",
                        file + ":2:7: pool: 99 is outside 0-64"));
  }

  @Test
  void durationBelowMinimumIsRefused() {
    assertThatThrownBy(() -> Settings.builder(KEYS).flag("telemetryInterval", "50ms").build())
        .hasMessage("--telemetry-interval: telemetryInterval: 50ms is outside 100ms to 1m");
  }

  @Test
  void unknownKeyInFileIsAnErrorWithItsLine() throws Exception {
    Path file = write("pool: 1\ntelemetryIntervl: 2s\n");
    assertThatThrownBy(() -> Settings.builder(KEYS).file(file).build())
        .hasMessageStartingWith(file + ":2:19: unknown setting 'telemetryIntervl'")
        .hasMessageContaining("known settings: http.listen, name, pool, telemetryInterval");
  }

  @Test
  void brokenYamlGivesLineAndColumn() throws Exception {
    Path file = write("pool: 1\nname: [unclosed\n");
    assertThatThrownBy(() -> Settings.builder(KEYS).file(file).build())
        .hasMessageStartingWith(file + ":")
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void listsAndDuplicatesAreRefused() {
    assertThatThrownBy(() -> YamlSettingsFile.parse("a.yaml", "name: [a, b]\n"))
        .hasMessage("a.yaml:1:1: name: expected one value, found a list");
    assertThatThrownBy(
            () -> YamlSettingsFile.parse("a.yaml", "http:\n  listen: a:1\nhttp.listen: b:2\n"))
        .hasMessage("a.yaml:3:1: http.listen: set twice (first at a.yaml:2:11)");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> Settings.builder(KEYS).file(missing).build())
        .hasMessage(missing + ": file not found");
  }

  @Test
  void emptyFileAndEmptyValuesKeepDefaults() throws Exception {
    assertThat(Settings.builder(KEYS).file(write("")).build().get(POOL)).isEqualTo(2);
    assertThat(Settings.builder(KEYS).file(write("pool:\n")).build().get(POOL)).isEqualTo(2);
  }

  @Test
  void openPrefixesPassSettingsThroughFromFileEnvironmentAndSet() throws Exception {
    Path file =
        write("pool: 1\nplugin:\n  ec2:\n    region: eu-west-1\n    launchTemplate: lt-1\n");
    Settings s =
        Settings.builder(KEYS)
            .open("plugin.")
            .file(file)
            .environment(Map.of("DROVER_PLUGIN_EC2_LAUNCH_TEMPLATE", "lt-2"))
            .set("plugin.ec2.maxServers=3")
            .set("pool=5")
            .build();
    assertThat(s.get(POOL)).isEqualTo(5);
    assertThat(s.origin(POOL)).isEqualTo("--set pool");
    var ec2 = s.under("plugin.ec2.");
    assertThat(ec2.get("plugin.ec2.region").value()).isEqualTo("eu-west-1");
    assertThat(ec2.get("plugin.ec2.region").origin()).isEqualTo(file + ":4:13");
    assertThat(ec2.get("plugin.ec2.launchTemplate").value()).isEqualTo("lt-2");
    assertThat(ec2.get("plugin.ec2.launchTemplate").origin())
        .isEqualTo("DROVER_PLUGIN_EC2_LAUNCH_TEMPLATE");
    assertThat(ec2.get("plugin.ec2.maxServers").origin()).isEqualTo("--set plugin.ec2.maxServers");
  }

  @Test
  void setOfAnUnknownKeyIsRefused() {
    assertThatThrownBy(() -> Settings.builder(KEYS).set("nope=1").build())
        .hasMessageStartingWith("--set nope: unknown setting");
    assertThatThrownBy(() -> Settings.builder(KEYS).set("novalue").build())
        .hasMessage("--set novalue: expected KEY=VALUE");
  }

  @Test
  void sizesAndDurationsRoundTrip() {
    assertThat(ByteSizes.parse("4MiB")).isEqualTo(4L << 20);
    assertThat(ByteSizes.parse("512")).isEqualTo(512);
    assertThat(ByteSizes.parse("64kb")).isEqualTo(64L << 10);
    assertThat(ByteSizes.format(4L << 20)).isEqualTo("4MiB");
    assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThatThrownBy(() -> ByteSizes.parse("lots")).hasMessageContaining("'lots'");
  }

  private Path write(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "settings", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
