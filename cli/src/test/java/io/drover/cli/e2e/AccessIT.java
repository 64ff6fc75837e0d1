package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller process with access control on, driven by the real CLI: the first admin token,
 * tokens for others, refusals and the audit trail.
 */
class AccessIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  @Test
  void theFirstAdminMakesAViewerAndAnOperatorAndEachGetsWhatItsRoleAllows() throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    String controller = "127.0.0.1:" + FreePorts.find();
    Path data = dir.resolve("controller");
    DroverProcesses.Daemon process =
        drover.start(
            "controller",
            "--listen",
            controller,
            "--http-listen",
            "127.0.0.1:0",
            "--data-dir",
            data.toString(),
            "--auth-enabled",
            "true");
    Path adminFile = data.resolve("admin.token");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(adminFile));
    await().atMost(Duration.ofSeconds(30)).until(() -> process.output().contains("admin.token"));
    assertThat(Files.getPosixFilePermissions(adminFile))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> drover.run("nodes", "--controller", controller).exitCode() == 1);
    DroverProcesses.Result anonymous = drover.run("nodes", "--controller", controller);
    assertThat(anonymous.stderr()).contains("UNAUTHENTICATED").contains("needs credentials");

    String admin = "--token-file=" + adminFile;
    DroverProcesses.Result viewer =
        drover.run(
            "token",
            "create-api",
            "--controller",
            controller,
            admin,
            "--name",
            "dash",
            "--role",
            "viewer");
    assertThat(viewer.exitCode()).as(viewer.toString()).isZero();
    String viewerToken = viewer.stdout().trim();
    DroverProcesses.Result operator =
        drover.run(
            "token",
            "create-api",
            "--controller",
            controller,
            admin,
            "--name",
            "ci",
            "--role",
            "operator");
    String operatorToken = operator.stdout().trim();

    assertThat(drover.run("nodes", "--controller", controller, "--token", viewerToken).exitCode())
        .isZero();
    DroverProcesses.Result denied =
        drover.run("scale", "hello", "3", "--controller", controller, "--token", viewerToken);
    assertThat(denied.exitCode()).isEqualTo(1);
    assertThat(denied.stderr())
        .contains("PERMISSION_DENIED")
        .contains("Control/ScaleService needs the operator role; dash has viewer");

    // The operator gets past access control; the controller knows no service "hello".
    DroverProcesses.Result allowed =
        drover.run("scale", "hello", "3", "--controller", controller, "--token", operatorToken);
    assertThat(allowed.stderr()).doesNotContain("PERMISSION_DENIED").contains("hello");

    DroverProcesses.Result events =
        drover.run("events", "--controller", controller, admin, "-o", "json");
    assertThat(events.stdout())
        .contains("identity/dash")
        .contains("dash called Control/ScaleService: PERMISSION_DENIED")
        .contains("ci called Control/ScaleService: NOT_FOUND")
        .contains("identity/admin");
  }
}
