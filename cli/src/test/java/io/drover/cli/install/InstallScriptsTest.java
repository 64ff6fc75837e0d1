package io.drover.cli.install;

import static io.drover.cli.install.StagedRoot.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.agent.config.AgentConfig;
import io.drover.agent.config.AgentSettings;
import io.drover.cli.install.StagedRoot.Run;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.config.ControllerSettings;
import io.drover.testing.SystemPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * scripts/install-agent.sh, install-controller.sh and uninstall.sh, run into a staged root with a
 * stand-in jar: the files, their modes and owners, the configuration as the daemons read it,
 * idempotence, uninstalling with and without --purge, the units through systemd-analyze verify, and
 * bad flags.
 */
class InstallScriptsTest {
  private static final String FINGERPRINT =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

  @TempDir Path temp;
  private StagedRoot root;
  private Path jar;
  private boolean asRoot;

  @BeforeEach
  void stage() throws IOException {
    root = StagedRoot.withUsers(temp.resolve("root"));
    // A stand-in for a build's drover-cli.jar and its lib/: the scripts only copy them.
    Path dist = Files.createDirectories(temp.resolve("dist/lib"));
    jar = Files.writeString(temp.resolve("dist/drover-cli.jar"), "the cli jar");
    Files.writeString(dist.resolve("one.jar"), "one");
    Files.writeString(dist.resolve("two.jar"), "two");
    asRoot = Files.getAttribute(temp, "unix:uid").equals(0);
  }

  private List<String> installArgs(String... more) {
    List<String> args =
        new ArrayList<>(List.of("--root", root.dir.toString(), "--jar", jar.toString()));
    args.addAll(List.of(more));
    return args;
  }

  private Run installAgent(String... more) {
    return script("install-agent.sh", installArgs(more));
  }

  /**
   * The jar here is a stand-in that cannot run {@code drover tls init}: the staged root gets a CA
   * first, as a re-install finds one. InstalledDroverIT has the installer create a real one.
   */
  private Run installController(String... more) throws IOException {
    Path tls = root.path("/etc/drover/tls");
    if (!Files.exists(tls.resolve("ca.crt"))) {
      Files.createDirectories(tls);
      for (String file :
          List.of(
              "ca.crt", "ca.key", "controller.crt", "controller.key", "admin.crt", "admin.key")) {
        Files.writeString(tls.resolve(file), "staged " + file + "\n");
      }
    }
    return script("install-controller.sh", installArgs(more));
  }

  private Run uninstall(String... more) {
    List<String> args = new ArrayList<>(List.of("--root", root.dir.toString()));
    args.addAll(List.of(more));
    return script("uninstall.sh", args);
  }

  private static void assertOk(Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
  }

  @Test
  void agentInstallLaysOutProgramsConfigUnitAndUser() throws Exception {
    Run run =
        installAgent(
            "--controller", "10.0.0.10:7400",
            "--name", "web-1",
            "--ports", "21000-23000",
            "--join-token", "s3cret.token",
            "--ca-fingerprint", FINGERPRINT);
    assertOk(run);
    assertThat(run.stdout())
        .contains("==> Checking for Java 17 or newer", "==> Installing the programs to /opt/drover")
        .contains("Staged in " + root.dir + "; not starting anything");

    int uid = root.id("/etc/passwd", "drover").orElseThrow();
    int gid = root.id("/etc/group", "drover").orElseThrow();
    assertThat(uid).as("a free system id, not the taken 999").isBetween(100, 998);
    assertThat(root.read("/etc/passwd"))
        .contains("drover:x:" + uid + ":" + gid + ":Drover:/var/lib/drover:/usr/sbin/nologin\n");

    assertThat(root.read("/opt/drover/bin/drover"))
        .isEqualTo(Files.readString(StagedRoot.SOURCE.resolve("bin/drover")));
    assertThat(root.mode("/opt/drover/bin/drover")).isEqualTo("755");
    assertThat(root.read("/opt/drover/drover-cli.jar")).isEqualTo("the cli jar");
    assertThat(root.mode("/opt/drover/drover-cli.jar")).isEqualTo("644");
    assertThat(root.read("/opt/drover/lib/one.jar")).isEqualTo("one");
    assertThat(root.read("/opt/drover/lib/two.jar")).isEqualTo("two");

    assertThat(root.read("/etc/systemd/system/drover-agent.service"))
        .isEqualTo(Files.readString(StagedRoot.SOURCE.resolve("systemd/drover-agent.service")));
    assertThat(root.path("/etc/systemd/system/drover-agent.service.d")).doesNotExist();

    assertThat(root.mode("/etc/drover/agent.yaml")).isEqualTo("640");
    assertThat(root.mode("/etc/drover/agent.env")).isEqualTo("640");
    assertThat(root.mode("/var/lib/drover/agent")).isEqualTo("750");
    assertThat(root.mode("/var/lib/drover")).isEqualTo("755");
    if (asRoot) {
      assertThat(root.owner("/etc/drover/agent.yaml")).isEqualTo("0:" + gid);
      assertThat(root.owner("/etc/drover/agent.env")).isEqualTo("0:" + gid);
      assertThat(root.owner("/var/lib/drover/agent")).isEqualTo(uid + ":" + gid);
      assertThat(root.owner("/opt/drover/drover-cli.jar")).isEqualTo("0:0");
    }

    // The file as the agent reads it: every key known, every value valid.
    Settings settings =
        Settings.builder(AgentSettings.ALL).file(root.path("/etc/drover/agent.yaml")).build();
    AgentConfig config =
        AgentConfig.from(settings, "host", Optional.of(new PortRange(32768, 60999)));
    assertThat(config.controller()).isEqualTo(new HostPort("10.0.0.10", 7400));
    assertThat(config.name()).isEqualTo("web-1");
    assertThat(config.ports()).isEqualTo(new PortRange(21000, 23000));
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/drover/agent"));
    assertThat(settings.get(AgentSettings.JOIN_TOKEN)).isEqualTo("s3cret.token");
    assertThat(settings.get(AgentSettings.CA_FINGERPRINT))
        .isEqualTo(FINGERPRINT.replace(":", "").toLowerCase());
    assertThat(root.read("/etc/drover/agent.env")).contains("#JAVA=");
  }

  @Test
  void theAgentsDefaultsNeedNoOptions() throws Exception {
    assertOk(installAgent());
    Settings settings =
        Settings.builder(AgentSettings.ALL).file(root.path("/etc/drover/agent.yaml")).build();
    assertThat(settings.get(AgentSettings.CONTROLLER)).isEqualTo(new HostPort("127.0.0.1", 7400));
    assertThat(settings.find(AgentSettings.NAME)).isEmpty();
    assertThat(settings.find(AgentSettings.JOIN_TOKEN)).isEmpty();
    assertThat(root.read("/etc/drover/agent.yaml")).doesNotContain("TLS");
  }

  @Test
  void runningTwiceChangesNothing() throws Exception {
    String[] agent = {
      "--controller", "[::1]:7400", "--name", "n1", "--data-dir", "/srv/drover/agent"
    };
    assertOk(installAgent(agent));
    assertOk(installController("--catalog", catalog().toString()));
    Map<String, String> before = root.snapshot();

    Run again = installAgent(agent);
    assertOk(again);
    assertThat(again.stdout()).contains("==> Done; nothing needed changing");
    Run controllerAgain = installController("--catalog", catalog().toString());
    assertOk(controllerAgain);
    assertThat(controllerAgain.stdout()).contains("==> Done; nothing needed changing");

    assertThat(root.snapshot()).isEqualTo(before);
    assertThat(root.read("/etc/passwd").lines().filter(l -> l.startsWith("drover:"))).hasSize(1);
    assertThat(root.read("/etc/group").lines().filter(l -> l.startsWith("drover:"))).hasSize(1);
  }

  @Test
  void otherOptionsRewriteTheConfigKeepTheOldOneAndDropStaleJars() throws Exception {
    assertOk(installAgent("--name", "old-name", "--data-dir", "/srv/drover/agent"));
    Files.writeString(root.path("/etc/drover/agent.env"), "JAVA=/somewhere/java\n");
    Path newLib = Files.createDirectories(temp.resolve("dist2/lib"));
    Path newJar = Files.writeString(temp.resolve("dist2/drover-cli.jar"), "the new cli jar");
    Files.writeString(newLib.resolve("one.jar"), "one, newer");

    List<String> args =
        new ArrayList<>(List.of("--root", root.dir.toString(), "--jar", newJar.toString()));
    args.addAll(List.of("--name", "new-name"));
    Run run = script("install-agent.sh", args);
    assertOk(run);
    assertThat(run.stdout()).contains("the old one is kept as /etc/drover/agent.yaml.bak");

    assertThat(root.read("/etc/drover/agent.yaml")).contains("name: 'new-name'");
    assertThat(root.read("/etc/drover/agent.yaml.bak")).contains("name: 'old-name'");
    assertThat(root.mode("/etc/drover/agent.yaml.bak")).isEqualTo("640");
    assertThat(root.read("/etc/drover/agent.env"))
        .as("the operator's file")
        .isEqualTo("JAVA=/somewhere/java\n");
    assertThat(root.read("/opt/drover/drover-cli.jar")).isEqualTo("the new cli jar");
    assertThat(root.read("/opt/drover/lib/one.jar")).isEqualTo("one, newer");
    assertThat(root.path("/opt/drover/lib/two.jar")).doesNotExist();
    // Back to the default data dir: the drop-in that named the other one goes.
    assertThat(root.path("/etc/systemd/system/drover-agent.service.d")).doesNotExist();
  }

  @Test
  void aDataDirElsewhereGetsADropInThatMakesItWritable() throws Exception {
    assertOk(installAgent("--data-dir", "/srv/drover/agent/"));
    assertThat(root.read("/etc/systemd/system/drover-agent.service.d/10-data-dir.conf"))
        .contains("ReadWritePaths=\nReadWritePaths=/srv/drover/agent /tmp /var/tmp\n")
        .contains("WorkingDirectory=/srv/drover/agent\n");
    assertThat(root.mode("/srv/drover/agent")).isEqualTo("750");
    assertThat(root.mode("/srv/drover")).as("a parent stays traversable").isEqualTo("755");
    assertThat(root.read("/etc/drover/agent.yaml")).contains("dataDir: '/srv/drover/agent'\n");
  }

  @Test
  void controllerInstallWritesItsConfigAndCatalog() throws Exception {
    Run run =
        installController(
            "--listen", "10.0.0.10:7400",
            "--data-dir", "/srv/drover/controller",
            "--catalog", catalog().toString());
    assertOk(run);
    int uid = root.id("/etc/passwd", "drover").orElseThrow();
    int gid = root.id("/etc/group", "drover").orElseThrow();

    assertThat(root.read("/etc/systemd/system/drover-controller.service"))
        .isEqualTo(
            Files.readString(StagedRoot.SOURCE.resolve("systemd/drover-controller.service")));
    assertThat(root.read("/etc/systemd/system/drover-controller.service.d/10-data-dir.conf"))
        .contains("ReadWritePaths=\nReadWritePaths=/srv/drover/controller\n");
    assertThat(root.read("/srv/drover/controller/catalog.yaml"))
        .isEqualTo(Files.readString(catalog()));
    assertThat(root.mode("/srv/drover/controller/catalog.yaml")).isEqualTo("640");
    assertThat(root.mode("/etc/drover/controller.yaml")).isEqualTo("640");
    assertThat(run.stdout()).contains("kept the existing cluster CA");
    assertThat(root.read("/etc/drover/tls/ca.key"))
        .as("an existing CA is kept")
        .startsWith("staged");
    assertThat(root.mode("/etc/drover/tls")).isEqualTo("750");
    for (String key : List.of("ca.key", "controller.key", "admin.key")) {
      assertThat(root.mode("/etc/drover/tls/" + key)).as(key).isEqualTo("600");
    }
    if (asRoot) {
      assertThat(root.owner("/srv/drover/controller/catalog.yaml")).isEqualTo(uid + ":" + gid);
      assertThat(root.owner("/etc/drover/controller.yaml")).isEqualTo("0:" + gid);
      assertThat(root.owner("/etc/drover/tls/ca.key"))
          .as("the controller signs with it")
          .isEqualTo(uid + ":" + gid);
      assertThat(root.owner("/etc/drover/tls/admin.key")).as("the operator's").isEqualTo("0:0");
    }

    Settings settings =
        Settings.builder(ControllerSettings.ALL)
            .file(root.path("/etc/drover/controller.yaml"))
            .build();
    ControllerConfig config = ControllerConfig.from(settings);
    assertThat(config.listen()).isEqualTo(new HostPort("10.0.0.10", 7400));
    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/drover/controller"));
    assertThat(config.catalog().file()).contains(Path.of("/srv/drover/controller/catalog.yaml"));
    assertThat(settings.get(ControllerSettings.TLS_DIR)).isEqualTo(Path.of("/etc/drover/tls"));
  }

  @Test
  void uninstallKeepsConfigAndDataUnlessPurged() throws Exception {
    assertOk(installAgent("--data-dir", "/srv/drover/agent"));
    assertOk(installController());
    Files.writeString(root.path("/srv/drover/agent/node-id"), "keep me");

    Run run = uninstall();
    assertOk(run);
    assertThat(root.path("/opt/drover")).doesNotExist();
    assertThat(root.path("/etc/systemd/system/drover-agent.service")).doesNotExist();
    assertThat(root.path("/etc/systemd/system/drover-agent.service.d")).doesNotExist();
    assertThat(root.path("/etc/systemd/system/drover-controller.service")).doesNotExist();
    assertThat(root.read("/srv/drover/agent/node-id")).isEqualTo("keep me");
    assertThat(root.path("/var/lib/drover/controller")).isDirectory();
    assertThat(root.path("/etc/drover/agent.yaml")).exists();
    assertThat(root.path("/etc/drover/controller.yaml")).exists();
    assertThat(root.id("/etc/passwd", "drover")).isPresent();

    Map<String, String> before = root.snapshot();
    Run again = uninstall();
    assertOk(again);
    assertThat(again.stdout()).contains("==> Done; nothing needed removing");
    assertThat(root.snapshot()).isEqualTo(before);

    Run purge = uninstall("--purge");
    assertOk(purge);
    assertThat(root.path("/etc/drover")).doesNotExist();
    assertThat(root.path("/srv/drover/agent")).as("the data dir agent.yaml named").doesNotExist();
    assertThat(root.path("/var/lib/drover")).doesNotExist();
    assertThat(root.id("/etc/passwd", "drover")).isEmpty();
    assertThat(root.id("/etc/group", "drover")).isEmpty();
    assertThat(root.read("/etc/passwd")).contains("systemd-network:x:999:");
    assertOk(uninstall("--purge"));
  }

  @Test
  void aStagedRootWithoutUsersSkipsTheUserAndSaysSo() throws Exception {
    StagedRoot bare = new StagedRoot(temp.resolve("bare"));
    Run run =
        script("install-agent.sh", List.of("--root", bare.dir.toString(), "--jar", jar.toString()));
    assertOk(run);
    assertThat(run.stdout()).contains("skipped: " + bare.dir + " has no etc/passwd and etc/group");
    assertThat(bare.path("/etc/passwd")).doesNotExist();
    assertThat(bare.mode("/var/lib/drover/agent")).isEqualTo("750");
  }

  @Test
  void theInstalledLauncherRunsTheInstalledJarWithTheConfiguredJava() throws Exception {
    assertOk(installAgent());
    // A stand-in java that shows how it was called.
    Path java = temp.resolve("jdk/bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/sh\necho \"$0 $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path launcher = root.path("/opt/drover/bin/drover");

    String viaJavaHome =
        launch(
            launcher,
            Map.of("JAVA_HOME", temp.resolve("jdk").toString()),
            "agent",
            "--config",
            "/etc/drover/agent.yaml");
    assertThat(viaJavaHome)
        .startsWith(java + " ")
        .contains(
            "-jar "
                + root.path("/opt/drover/drover-cli.jar")
                + " agent --config /etc/drover/agent.yaml")
        .contains("-Xmx64m")
        .doesNotContain("building");
    String viaJava =
        launch(launcher, Map.of("JAVA", java.toString(), "JAVA_HOME", "/nowhere"), "nodes");
    assertThat(viaJava).startsWith(java + " ");
  }

  private String launch(Path launcher, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("JAVA");
    builder.environment().remove("JAVA_HOME");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void systemdAnalyzeVerifiesTheInstalledUnits() throws Exception {
    Optional<String> unavailable = SystemPackages.ensure("systemd-analyze", "systemd");
    assumeTrue(
        unavailable.isEmpty(), () -> "the units cannot be verified: " + unavailable.orElse(""));
    Optional<Path> analyze = onPath("systemd-analyze");
    assumeTrue(analyze.isPresent(), "systemd-analyze is not on the PATH");
    Path units = Path.of("/usr/lib/systemd/system");
    assumeTrue(
        Files.isRegularFile(units.resolve("multi-user.target")),
        "no systemd targets under " + units + " to verify the units against");

    // One unit with the default data dir, one with a drop-in for another.
    assertOk(installAgent());
    assertOk(installController("--data-dir", "/srv/drover/controller"));
    // The units' dependencies (network-online.target, multi-user.target, ...) from this system.
    Path targets = Files.createDirectories(root.path("/usr/lib/systemd/system"));
    try (Stream<Path> files = Files.list(units)) {
      for (Path target : (Iterable<Path>) files::iterator) {
        if (target.getFileName().toString().endsWith(".target")
            && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.copy(target, targets.resolve(target.getFileName()));
        }
      }
    }

    Run verify =
        command(
            analyze.get().toString(),
            "verify",
            "--root=" + root.dir,
            "--man=no",
            "drover-agent.service",
            "drover-controller.service");
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    // Unknown keys and other problems are warnings with exit 0: any output is a failure.
    assertThat(verify.output()).as(verify.toString()).isEmpty();

    // The check has teeth: a broken drop-in and a missing program are reported.
    Files.writeString(
        root.path("/etc/systemd/system/drover-controller.service.d/10-data-dir.conf"),
        "[Service]\nReadWritePath=/srv\n",
        java.nio.file.StandardOpenOption.APPEND);
    Files.delete(root.path("/opt/drover/bin/drover"));
    Run broken =
        command(
            analyze.get().toString(),
            "verify",
            "--root=" + root.dir,
            "--man=no",
            "drover-controller.service");
    assertThat(broken.output()).contains("ReadWritePath").contains("/opt/drover/bin/drover");
  }

  private static Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Run command(String... command) throws Exception {
    Process process = new ProcessBuilder(command).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), out, err);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "install-agent.sh | --controller | 10.0.0.10",
        "install-agent.sh | --controller | host:99999",
        "install-agent.sh | --name | -starts-with-a-dash",
        "install-agent.sh | --name | has space",
        "install-agent.sh | --ports | 30000-20000",
        "install-agent.sh | --ports | 20000",
        "install-agent.sh | --data-dir | relative/dir",
        "install-agent.sh | --data-dir | /etc",
        "install-agent.sh | --data-dir | /var/lib/../../etc",
        "install-agent.sh | --join-token | has space",
        "install-agent.sh | --ca-fingerprint | abc",
        "install-agent.sh | --no-such-flag | x",
        "install-controller.sh | --listen | :7400",
        "install-controller.sh | --catalog | /no/such/catalog.yaml",
        "install-controller.sh | --data-dir | /",
        "uninstall.sh | --no-such-flag | x",
      })
  void aBadFlagExitsWithTwoAndNamesIt(String name, String flag, String value) throws Exception {
    List<String> args = new ArrayList<>(List.of("--root", root.dir.toString()));
    if (name.startsWith("install")) {
      args.addAll(List.of("--jar", jar.toString()));
    }
    args.addAll(List.of(flag, value));
    Run run = script(name, args);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr()).contains(flag).contains("--help");
    assertThat(root.path("/opt")).as("nothing installed").doesNotExist();
  }

  @ParameterizedTest
  @CsvSource({"install-agent.sh", "install-controller.sh", "uninstall.sh"})
  void aFlagWithoutItsValueExitsWithTwo(String name) {
    Run run = script(name, List.of("--root"));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr()).contains("--root needs a value");
  }

  @ParameterizedTest
  @CsvSource({"install-agent.sh", "install-controller.sh", "uninstall.sh"})
  void helpDescribesTheOptions(String name) {
    Run run = script(name, List.of("--help"));
    assertOk(run);
    assertThat(run.stdout()).startsWith("Usage: " + name).contains("--root DIR");
    if (name.equals("install-agent.sh")) {
      assertThat(run.stdout())
          .contains(
              "--join-token TOKEN", "--ca-fingerprint SHA256", "joins over TLS on its first start");
    }
  }

  @Test
  void missingJavaIsAClearError() {
    Run run =
        script(
            "install-agent.sh", installArgs(), Map.of("JAVA", temp.resolve("no/java").toString()));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stderr()).contains("Java 17 or newer is needed").contains("no/java");
    assertThat(root.path("/opt")).doesNotExist();
  }

  @Test
  void anOldJavaIsAClearError() throws Exception {
    Path java = temp.resolve("old/bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run run =
        script(
            "install-controller.sh",
            installArgs(),
            Map.of("JAVA_HOME", temp.resolve("old").toString()));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stderr()).contains("Java 17 or newer is needed").contains("Java 11.0.22");
  }

  private Path catalog() {
    return StagedRoot.SOURCE.resolve("examples/catalog.yaml");
  }
}
