package io.drover.cli.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A staged root for the install scripts ({@code --root}), and the means to run them into it and to
 * look at what they left: modes, owners, and a snapshot that tells whether a run changed anything.
 */
final class StagedRoot {
  /** The source tree: the cli module's parent, where the tests run from. */
  static final Path SOURCE = Path.of("..").toAbsolutePath().normalize();

  final Path dir;

  StagedRoot(Path dir) {
    this.dir = dir;
  }

  /** A root with the etc/passwd and etc/group of a small system, whose id 999 is taken. */
  static StagedRoot withUsers(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(
        dir.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n"
            + "systemd-network:x:999:999:systemd Network Management:/:/usr/sbin/nologin\n");
    Files.writeString(dir.resolve("etc/group"), "root:x:0:\nsystemd-network:x:999:\n");
    return new StagedRoot(dir);
  }

  Path path(String absolute) {
    return dir.resolve(absolute.substring(1));
  }

  String read(String absolute) throws IOException {
    return Files.readString(path(absolute), StandardCharsets.UTF_8);
  }

  /** The permission bits of a staged path, as octal text such as "640". */
  String mode(String absolute) throws IOException {
    int mode = (Integer) Files.getAttribute(path(absolute), "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return Integer.toOctalString(mode & 07777);
  }

  /** "uid:gid" of a staged path. */
  String owner(String absolute) throws IOException {
    Path p = path(absolute);
    return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
        + ":"
        + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
  }

  /** The id of a user or group in the staged etc/passwd or etc/group. */
  Optional<Integer> id(String file, String name) throws IOException {
    Path p = path(file);
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    return Files.readAllLines(p).stream()
        .map(line -> line.split(":", -1))
        .filter(fields -> fields[0].equals(name))
        .map(fields -> Integer.parseInt(fields[2]))
        .findFirst();
  }

  /**
   * Every path under the root with its type, mode, owner, size, modification time and content hash:
   * equal snapshots mean that nothing was created, changed, removed or even touched.
   */
  Map<String, String> snapshot() throws IOException {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Map<String, Object> a =
            Files.readAttributes(
                p, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        String content =
            Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? sha256(Files.readAllBytes(p)) : "";
        all.put(
            dir.relativize(p).toString(),
            Integer.toOctalString((Integer) a.get("mode"))
                + " "
                + a.get("uid")
                + ":"
                + a.get("gid")
                + " "
                + a.get("size")
                + " "
                + a.get("lastModifiedTime")
                + " "
                + content);
      }
    }
    return all;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a script printed and how it ended. */
  record Run(int exitCode, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** Runs one of scripts/ with bash, finding java on the PATH only (no JAVA, no JAVA_HOME). */
  static Run script(String name, List<String> args) {
    return script(name, args, Map.of());
  }

  static Run script(String name, List<String> args, Map<String, String> extraEnv) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(SOURCE.resolve("scripts").resolve(name).toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.remove("JAVA");
    env.remove("JAVA_HOME");
    env.put(
        "PATH",
        Path.of(System.getProperty("java.home"), "bin")
            + ":"
            + env.getOrDefault("PATH", "/usr/bin"));
    env.putAll(new HashMap<>(extraEnv));
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    try {
      Path out = Files.createTempFile("drover-script-", ".out");
      Path err = Files.createTempFile("drover-script-", ".err");
      try {
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(name + " " + args + " did not finish in 120 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
