package io.drover.cli.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.testing.SystemPackages;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs some tests drive (chromium, tmux). A test asks for one; if it is missing,
 * scripts/test-deps.sh installs it (as root, with apt-get). If that cannot be done the test is
 * skipped with the reason, so that it never passes without having run.
 */
final class TestPrograms {
  private TestPrograms() {}

  /** The program's path, after installing it if needed; skips the test when it cannot. */
  static synchronized Path require(String program) {
    Optional<String> unavailable = SystemPackages.ensure(program, program);
    assumeTrue(
        unavailable.isEmpty(),
        () -> unavailable.orElse("") + ": this test needs " + program + " and did not run");
    Path found = onPath(program);
    assumeTrue(found != null, program + " is not on the PATH: this test did not run");
    return found;
  }

  private static Path onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
