package io.drover.cli.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.cli.install.StagedRoot.Run;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar installed by the scripts into a staged root, then run from there as the units run
 * it: the installed bin/drover with the installed agent.yaml and controller.yaml. Only what must
 * differ on a shared test machine (data dirs, ports, the catalog's place) is given by flag.
 */
class InstalledDroverIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path temp;

  @Test
  void theInstalledControllerAndAgentRunAServiceFromTheirInstalledConfig() throws Exception {
    Path jar =
        Path.of(System.getProperty("drover.cli.jar", "target/drover-cli.jar")).toAbsolutePath();
    Path examples =
        Path.of(System.getProperty("drover.examples.jar", "../examples/target/drover-examples.jar"))
            .toAbsolutePath()
            .normalize();
    assertThat(jar).as("the packaged CLI (run through failsafe after package)").exists();
    assertThat(examples).exists();
    StagedRoot root = StagedRoot.withUsers(temp.resolve("root"));
    String controllerAddress = "127.0.0.1:" + FreePorts.find();
    // Outside dev mode every artifact names its sha256.
    String sha256 =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(examples)));
    Path catalog =
        Files.writeString(
            temp.resolve("catalog.yaml"),
            "services:\n"
                + "  - name: hello\n"
                + "    artifact: {path: "
                + examples
                + ", sha256: "
                + sha256
                + "}\n"
                + "    entry: io.drover.examples.hello.HelloService\n"
                + "    replicas: {min: 1, max: 1, initial: 1}\n"
                + "    ports: [http]\n"
                + "    health: {type: http, path: /healthz}\n");

    Run controllerInstall =
        StagedRoot.script(
            "install-controller.sh",
            List.of(
                "--root", root.dir.toString(),
                "--jar", jar.toString(),
                "--listen", controllerAddress,
                "--catalog", catalog.toString()));
    assertThat(controllerInstall.exitCode()).as(controllerInstall.toString()).isZero();
    // The installer created the cluster CA: the controller's certificate names 127.0.0.1.
    Path tls = root.path("/etc/drover/tls");
    assertThat(controllerInstall.stdout()).contains("CA fingerprint (sha256): ");
    for (String file :
        List.of("ca.crt", "ca.key", "controller.crt", "controller.key", "admin.crt")) {
      assertThat(tls.resolve(file)).as(file).exists();
    }
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tls.resolve("ca.key"))))
        .isEqualTo("rw-------");

    Path launcher = root.path("/opt/drover/bin/drover");
    Run version = run(launcher, "--version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.stdout()).startsWith("drover ");
    assertThat(version.stderr()).as("an installed tree never builds").doesNotContain("building");

    // As installed: mutual TLS, access control and sha256 checks on. Only the paths under
    // /etc and /var/lib are moved into this test's directories.
    Path controllerLog = temp.resolve("controller.log");
    start(
        controllerLog,
        launcher,
        "controller",
        "--config",
        root.path("/etc/drover/controller.yaml").toString(),
        "--data-dir",
        temp.resolve("controller").toString(),
        "--catalog-file",
        root.path("/var/lib/drover/controller/catalog.yaml").toString(),
        "--tls-dir",
        tls.toString(),
        "--http-listen",
        "127.0.0.1:0");
    List<String> admin =
        List.of(
            "--controller",
            controllerAddress,
            "--ca",
            tls.resolve("ca.crt").toString(),
            "--cert",
            tls.resolve("admin.crt").toString(),
            "--key",
            tls.resolve("admin.key").toString());
    List<String> tokenCreate = new ArrayList<>(List.of("token", "create", "-o", "json"));
    tokenCreate.addAll(admin);
    JsonNode joinToken =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  Run created = run(launcher, tokenCreate.toArray(String[]::new));
                  return created.exitCode() == 0 ? JSON.readTree(created.stdout()) : null;
                },
                node -> node != null);
    String token = joinToken.get("token").asText();

    Run agentInstall =
        StagedRoot.script(
            "install-agent.sh",
            List.of(
                "--root",
                root.dir.toString(),
                "--jar",
                jar.toString(),
                "--controller",
                controllerAddress,
                "--name",
                "installed-1",
                "--ports",
                "21000-21099",
                "--join-token",
                token,
                "--ca-fingerprint",
                joinToken.get("caFingerprint").asText()));
    assertThat(agentInstall.exitCode()).as(agentInstall.toString()).isZero();
    Path agentLog = temp.resolve("agent.log");
    start(
        agentLog,
        launcher,
        "agent",
        "--config",
        root.path("/etc/drover/agent.yaml").toString(),
        "--data-dir",
        temp.resolve("agent").toString(),
        "--http-listen",
        "127.0.0.1:0");

    JsonNode hello =
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    readyHello(
                        launcher,
                        controllerAddress,
                        tls.resolve("ca.crt"),
                        temp.resolve("controller").resolve("admin.token")),
                node -> node != null);
    assertThat(hello.get("nodeName").asText()).isEqualTo("installed-1");
    assertThat(hello.get("ports").get(0).get("port").asInt()).isBetween(21000, 21099);
    String agentOutput = Files.readString(agentLog, StandardCharsets.UTF_8);
    assertThat(agentOutput)
        .contains("joined the cluster: node certificate for")
        .contains("connected to the controller at " + controllerAddress)
        .doesNotContain("PLAINTEXT")
        .doesNotContain(token);
  }

  /**
   * An installed controller has access control on: the client trusts the cluster CA and uses the
   * first admin token.
   */
  private JsonNode readyHello(Path launcher, String controller, Path ca, Path tokenFile)
      throws Exception {
    if (!Files.exists(tokenFile)) {
      return null;
    }
    Run instances =
        run(
            launcher,
            "instances",
            "--controller",
            controller,
            "--ca",
            ca.toString(),
            "--token-file",
            tokenFile.toString(),
            "-o",
            "json");
    if (instances.exitCode() != 0) {
      return null;
    }
    for (JsonNode instance : JSON.readTree(instances.stdout())) {
      if (instance.path("service").asText().equals("hello")
          && instance.path("state").asText().equals("READY")) {
        return instance;
      }
    }
    return null;
  }

  private ProcessBuilder builder(Path launcher, String... args) {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("JAVA");
    builder.environment().remove("JAVA_HOME");
    builder.environment().keySet().removeIf(name -> name.startsWith("DROVER_"));
    builder
        .environment()
        .put(
            "PATH",
            Path.of(System.getProperty("java.home"), "bin")
                + ":"
                + System.getenv().getOrDefault("PATH", "/usr/bin"));
    return builder;
  }

  private void start(Path log, Path launcher, String... args) throws IOException {
    cleanup.register(
        builder(launcher, args).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  private Run run(Path launcher, String... args) throws Exception {
    Path out = Files.createTempFile(temp, "run-", ".out");
    Path err = Files.createTempFile(temp, "run-", ".err");
    Process process =
        cleanup.register(
            builder(launcher, args)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("drover " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
