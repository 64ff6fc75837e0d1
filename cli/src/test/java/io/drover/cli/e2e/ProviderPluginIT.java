package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.provider.docker.DockerEngineEmulator;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cloud provider as an operator installs it: the packaged controller, which carries no cloud SDK,
 * loads the docker plugin from a directory under {@code provider.pluginPath} and provisions against
 * an emulated Docker Engine; a bad provider configuration stops it at start naming the key.
 */
class ProviderPluginIT {
  private static final Path DOCKER_PLUGIN_BUILD =
      Path.of(System.getProperty("drover.docker.plugin", "../providers/docker/target"))
          .toAbsolutePath()
          .normalize();
  private static final List<String> CLOUD_PACKAGES =
      List.of("software/amazon/awssdk/", "com/azure/", "com/github/dockerjava/");

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private DroverProcesses drover;
  private DockerEngineEmulator engine;
  private Path plugins;

  @BeforeEach
  void installThePlugin() throws IOException {
    drover = new DroverProcesses(dir, cleanup);
    engine = DockerEngineEmulator.start();
    plugins = dir.resolve("plugins");
    Path docker = plugins.resolve("docker");
    Files.createDirectories(docker.resolve("lib"));
    try (Stream<Path> built = Files.list(DOCKER_PLUGIN_BUILD)) {
      Path jar =
          built
              .filter(f -> f.getFileName().toString().matches("drover-provider-docker-.*\\.jar"))
              .filter(f -> !f.getFileName().toString().endsWith("-tests.jar"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("build providers/docker first"));
      Files.copy(jar, docker.resolve(jar.getFileName()));
    }
    try (Stream<Path> libs = Files.list(DOCKER_PLUGIN_BUILD.resolve("lib"))) {
      for (Path lib : libs.toList()) {
        Files.copy(
            lib,
            docker.resolve("lib").resolve(lib.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @AfterEach
  void stopTheEngine() {
    engine.close();
  }

  @Test
  void theControllersJarAndLibCarryNoCloudSdk() throws IOException {
    Path cliJar = Path.of(System.getProperty("drover.cli.jar", "target/drover-cli.jar"));
    List<Path> jars = new ArrayList<>(List.of(cliJar));
    try (Stream<Path> lib = Files.list(cliJar.resolveSibling("lib"))) {
      lib.forEach(jars::add);
    }
    List<String> found = new ArrayList<>();
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        Enumeration<? extends ZipEntry> entries = file.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (CLOUD_PACKAGES.stream().anyMatch(name::startsWith)) {
            found.add(jar.getFileName() + "!" + name);
            break;
          }
        }
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  void thePackagedControllerProvisionsThroughThePluginAndReconcilesAfterARestart()
      throws Exception {
    String controller = "127.0.0.1:" + FreePorts.find();
    DroverProcesses.Daemon first = startController(controller, "drover/agent:test");

    // Created, then started: the second call follows the first.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                engine.containers().size() == 1
                    && engine.containers().get(0).state().equals("running"));
    DockerEngineEmulator.EmulatedContainer container = engine.containers().get(0);
    assertThat(container.labels())
        .containsEntry("drover.cluster", "drover")
        .containsEntry("drover.managed", "true");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> events(controller).contains("asked docker for a server"));

    // A restarted controller without its state finds the container by its labels and adopts it.
    first.process().destroy();
    assertThat(first.waitForExit(Duration.ofSeconds(30))).isTrue();
    deleteTree(dir.resolve("controller"));
    startController(controller, "drover/agent:test");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events(controller).contains("adopted so that it is not leaked"));
    assertThat(events(controller)).contains(container.id);
    assertThat(engine.container(container.id)).isPresent();
  }

  @Test
  void aBadProviderConfigurationStopsTheStartNamingTheKey() throws Exception {
    var unknown =
        drover.run(
            "controller",
            "--listen",
            "127.0.0.1:" + FreePorts.find(),
            "--http-listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.resolve("unknown").toString(),
            "--provider-kind",
            "azure",
            "--provider-plugin-path",
            plugins.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr())
        .contains("provider.kind: no provider 'azure'")
        .contains("known: docker, local, standalone");

    var noImage = run("", "missing");
    assertThat(noImage.exitCode()).isEqualTo(1);
    assertThat(noImage.stderr()).contains("provider.docker.image: missing");

    engine.refuseAll(true);
    var refused = run("drover/agent:test", "refused");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr())
        .contains(
            "provider.docker.host, provider.docker.tlsVerify, provider.docker.certPath: docker"
                + " refused the credentials at start-up")
        .contains(DockerEngineEmulator.AUTH_MESSAGE);
    assertThat(engine.containers()).isEmpty();
  }

  private DroverProcesses.Result run(String image, String dataDir) throws IOException {
    return drover.run(
        "controller",
        "--listen",
        "127.0.0.1:" + FreePorts.find(),
        "--http-listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.resolve(dataDir).toString(),
        "--provider-kind",
        "docker",
        "--provider-plugin-path",
        plugins.toString(),
        "--set",
        "provider.docker.host=" + engine.host(),
        "--set",
        "provider.docker.image=" + image);
  }

  private DroverProcesses.Daemon startController(String address, String image) throws IOException {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: example.Hello
            replicas: {min: 0, max: 2, initial: 1}
        """);
    DroverProcesses.Daemon daemon =
        drover.start(
            "controller",
            "--listen",
            address,
            "--http-listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.resolve("controller").toString(),
            "--catalog",
            catalog.toString(),
            "--provider-kind",
            "docker",
            "--provider-plugin-path",
            plugins.toString(),
            "--provider-join-timeout",
            "10m",
            "--set",
            "provider.docker.host=" + engine.host(),
            "--set",
            "provider.docker.image=" + image,
            "--set",
            "provider.docker.ports=31000-31399");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              assertThat(daemon.process().isAlive()).as(daemon.output()).isTrue();
              return drover.run("nodes", "--controller", address).exitCode() == 0;
            });
    return daemon;
  }

  private String events(String controller) {
    return drover.run("events", "--controller", controller).stdout();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
