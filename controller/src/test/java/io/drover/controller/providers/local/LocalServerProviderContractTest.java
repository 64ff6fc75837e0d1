package io.drover.controller.providers.local;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ServerProvider;
import io.drover.provider.testing.ServerProviderContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract for {@code local}: real processes on this machine. Its environment is the
 * slot directories and their pid files; its quota is the number of slots, filled behind the
 * provider's back by processes of the test's own ("squatters"). It has no rate limit and no
 * credentials, so those cases are skipped here.
 */
class LocalServerProviderContractTest extends ServerProviderContract {
  private static final int SLOTS = 3;

  @TempDir Path dataDir;
  private final List<Process> squatters = new ArrayList<>();

  @Override
  protected ServerProvider newProvider() throws ProviderException, IOException {
    return new LocalServerProvider.Factory()
        .create(
            new ProviderContext(
                "127.0.0.1:7400",
                dataDir,
                Map.of(
                    "maxServers",
                    Integer.toString(SLOTS),
                    "ports",
                    "30000-30299",
                    "network",
                    "shared",
                    "mainClass",
                    StandInAgent.class.getName(),
                    "classpath",
                    testClasspath(),
                    "jvmFlags",
                    "-Xmx16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"),
                "test"));
  }

  private Path pathingJar;

  /**
   * A jar whose manifest names the test classpath: the provider recognises its agents by " agent "
   * in their command line, which the JDK reads only up to a page; a long -cp would hide it.
   */
  private String testClasspath() throws IOException {
    if (pathingJar == null) {
      String full =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      StringBuilder classPath = new StringBuilder();
      for (String entry : full.split(java.io.File.pathSeparator)) {
        if (!entry.isEmpty()) {
          classPath.append(Path.of(entry).toAbsolutePath().toUri().toURL()).append(' ');
        }
      }
      java.util.jar.Manifest manifest = new java.util.jar.Manifest();
      manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest
          .getMainAttributes()
          .put(java.util.jar.Attributes.Name.CLASS_PATH, classPath.toString().trim());
      pathingJar = dataDir.resolve("classpath.jar");
      try (var out =
          new java.util.jar.JarOutputStream(Files.newOutputStream(pathingJar), manifest)) {
        out.flush();
      }
    }
    return pathingJar.toString();
  }

  /** Slots whose pid file names a live process the provider started (not a squatter). */
  @Override
  protected Set<String> liveServerIds() throws IOException {
    Set<Long> squatting = new HashSet<>();
    squatters.forEach(p -> squatting.add(p.pid()));
    Set<String> live = new HashSet<>();
    Path dir = dataDir.resolve("local");
    if (!Files.isDirectory(dir)) {
      return live;
    }
    try (Stream<Path> slots = Files.list(dir)) {
      for (Path slot : slots.toList()) {
        Optional<Long> pid = pid(slot);
        if (pid.isPresent()
            && !squatting.contains(pid.get())
            && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
          live.add(slot.getFileName().toString());
        }
      }
    }
    return live;
  }

  private static Optional<Long> pid(Path slot) {
    try {
      return Optional.of(Long.parseLong(Files.readString(slot.resolve("agent.pid")).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Fills every free slot but {@code created} with a squatter. */
  @Override
  protected void refuseCreationAfter(int created) throws IOException {
    int free = 0;
    for (int n = 1; n <= SLOTS; n++) {
      Path slot = dataDir.resolve("local").resolve("local-" + n);
      if (pid(slot).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      if (free++ < created) {
        continue;
      }
      Process squatter =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx16m",
                  "-cp",
                  testClasspath(),
                  StandInAgent.class.getName(),
                  "agent")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      squatters.add(squatter);
      // Until the new process has exec'd java, its command line is the launcher's.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> squatter.toHandle().info().commandLine().orElse("").contains(" agent"));
      Files.createDirectories(slot);
      Files.writeString(
          slot.resolve("agent.pid"), Long.toString(squatter.pid()), StandardCharsets.US_ASCII);
    }
  }

  @Override
  protected void clearFaults() throws Exception {
    for (Process squatter : squatters) {
      squatter.destroy();
      if (!squatter.waitFor(10, TimeUnit.SECONDS)) {
        squatter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    Set<Long> gone = new HashSet<>();
    squatters.forEach(p -> gone.add(p.pid()));
    squatters.clear();
    Path dir = dataDir.resolve("local");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> slots = Files.list(dir)) {
        for (Path slot : slots.toList()) {
          if (pid(slot).map(gone::contains).orElse(false)) {
            deleteTree(slot);
          }
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  protected String quotaMessage() {
    return "all " + SLOTS + " local servers are in use (provider.local.maxServers)";
  }

  @Override
  protected boolean throttle(int times) {
    return false;
  }

  @Override
  protected boolean refuseCredentials() {
    return false;
  }
}
