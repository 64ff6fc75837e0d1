package io.drover.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Programs from Debian packages that some tests need. A missing one is installed through {@code
 * scripts/test-deps.sh} when the tests run as root (as CI does); otherwise the test skips with the
 * reason this returns.
 */
public final class SystemPackages {
  private SystemPackages() {}

  /**
   * Makes sure {@code program} is on the PATH, installing it through scripts/test-deps.sh (which
   * knows its Debian package, {@code debianPackage}) if needed.
   *
   * @return why it is not available; empty when it is
   */
  public static Optional<String> ensure(String program, String debianPackage) {
    if (onPath(program)) {
      return Optional.empty();
    }
    Optional<Path> script = repositoryRoot().map(r -> r.resolve("scripts/test-deps.sh"));
    if (script.isEmpty() || !Files.isExecutable(script.get())) {
      return Optional.of(program + " is missing and scripts/test-deps.sh was not found");
    }
    try {
      Process p =
          new ProcessBuilder(script.get().toString(), program).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return Optional.of("installing " + debianPackage + " took more than 15 minutes");
      }
      if (p.exitValue() != 0 || !onPath(program)) {
        return Optional.of(
            program + " is missing (Debian package " + debianPackage + ") and " + out);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot run scripts/test-deps.sh: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while installing " + debianPackage);
    }
  }

  private static boolean onPath(String program) {
    List<String> dirs =
        new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /** The checkout this test runs in: the nearest directory up with the Maven wrapper. */
  private static Optional<Path> repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("scripts"))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
