package io.drover.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.testing.SystemPackages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool check metrics} on an exposition, installing promtool when it can. */
public final class Promtool {
  private Promtool() {}

  /**
   * Fails the test when promtool finds a problem (a parse error or a lint finding); skips it, with
   * the reason, when promtool cannot be had.
   */
  public static void assertValid(String exposition) throws IOException, InterruptedException {
    Optional<String> missing = SystemPackages.ensure("promtool", "prometheus");
    assumeTrue(missing.isEmpty(), () -> missing.get());
    Process p =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(out).as("promtool check metrics says").isBlank();
    assertThat(p.exitValue()).as("promtool exit code; it said: %s", out).isZero();
  }
}
