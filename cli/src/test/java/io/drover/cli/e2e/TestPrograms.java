package io.drover.cli.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Programs some tests drive (chromium, tmux). A test asks for one; if it is missing,
 * scripts/test-deps.sh installs it (as root, with apt-get). If that cannot be done the test is
 * skipped with the reason, so that it never passes without having run.
 */
final class TestPrograms {
  static final Path SCRIPT = Path.of("..", "scripts", "test-deps.sh").toAbsolutePath().normalize();

  private TestPrograms() {}

  /** The program's path, after installing it if needed; skips the test when it cannot. */
  static synchronized Path require(String program) throws IOException, InterruptedException {
    Path found = onPath(program);
    if (found != null) {
      return found;
    }
    Path log = Files.createTempFile("test-deps-", ".log");
    String output;
    try {
      Process install =
          new ProcessBuilder("bash", SCRIPT.toString(), program)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean done = install.waitFor(15, TimeUnit.MINUTES);
      if (!done) {
        install.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        install.destroyForcibly();
      }
      output = Files.readString(log, StandardCharsets.UTF_8).strip();
      if (!done) {
        output = "no end after 15 minutes; " + output;
      }
    } finally {
      Files.deleteIfExists(log);
    }
    found = onPath(program);
    assumeTrue(
        found != null,
        program
            + " is missing and "
            + SCRIPT
            + " could not install it ("
            + (output.isEmpty() ? "no output" : output.replaceAll("\\s*\\R\\s*", "; "))
            + "): this test needs it and did not run");
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
