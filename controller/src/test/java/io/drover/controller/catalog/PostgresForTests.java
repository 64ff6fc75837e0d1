package io.drover.controller.catalog;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL for tests (zonky's embedded binaries). PostgreSQL refuses to run as root; zonky
 * then runs it as uid 65534 through {@code unshare -U}, which needs the command and that user. CI
 * runs as root, where both exist.
 */
final class PostgresForTests {
  private PostgresForTests() {}

  static boolean canRun() {
    return !isRoot() || (LinuxUtils.isUnshareAvailable() && hasNobodyUser());
  }

  static String whyNot() {
    return "PostgreSQL refuses to run as root, and zonky can only drop root with `unshare -U`,"
        + " which needs the unshare command, user namespaces, and a user with uid 65534 in"
        + " /etc/passwd (unshare available: "
        + LinuxUtils.isUnshareAvailable()
        + ", uid 65534 known: "
        + hasNobodyUser()
        + "); run the build as a normal user to run these tests";
  }

  static EmbeddedPostgres start() throws IOException {
    return EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean hasNobodyUser() {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream()
          .anyMatch(line -> line.matches("[^:]*:[^:]*:65534:.*"));
    } catch (IOException e) {
      return false;
    }
  }
}
