package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's real stdout and stderr (jvm.out) is rotated by the agent while the container keeps
 * writing: a real process started the agent's way writes numbered lines straight to its file
 * descriptor, at about 40 KB/s against a 16 KB limit.
 */
class JvmOutputRotationTest {
  private static final int LINES = 1000;
  private static final long MAX_BYTES = 16_000;
  private static final Pattern LINE = Pattern.compile("line (\\d{6}) 0{180}");

  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;
  private ScriptedSupervisor scripted;

  @AfterEach
  void close() {
    if (scripted != null) {
      scripted.close();
    }
  }

  @Test
  void jvmOutIsRotatedBySizeWithoutStoppingTheWriterOrLeavingAHole() throws Exception {
    scripted =
        new ScriptedSupervisor(
            dir,
            String.join(
                "\n",
                "i=0",
                "while [ $i -lt " + LINES + " ]; do",
                "  i=$((i+1))",
                "  printf 'line %06d %0180d\\n' $i 0",
                "  if [ $((i % 20)) -eq 0 ]; then sleep 0.1; fi",
                "done",
                "echo written > written",
                "exec sleep 600"),
            MAX_BYTES);
    ContainerReport container = scripted.startOne();
    processes.register(ProcessHandle.of(container.getPid()).orElseThrow());
    Path containerDir = scripted.containerDir(container.getContainerId());
    Path out = containerDir.resolve(ContainerLauncher.JVM_OUTPUT);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(containerDir.resolve("written")));
    // Once the last lines are rotated too (when they passed the limit), nothing changes any more.
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(out) <= MAX_BYTES);

    assertThat(ProcessHandle.of(container.getPid())).as("the writer still runs").isPresent();
    assertThat(containerDir.resolve("jvm.out.1")).exists();
    assertThat(containerDir.resolve("jvm.out.2")).exists();
    assertThat(containerDir.resolve("jvm.out.3")).as("3 files kept").doesNotExist();
    List<Integer> oldest = numbers(containerDir.resolve("jvm.out.2"), true);
    List<Integer> older = numbers(containerDir.resolve("jvm.out.1"), true);
    List<Integer> current = numbers(out, false);
    // Rotated files are those that passed the limit; each holds a run of lines in order, and
    // the runs follow one another.
    assertThat(Files.size(containerDir.resolve("jvm.out.2"))).isGreaterThan(MAX_BYTES);
    assertThat(Files.size(containerDir.resolve("jvm.out.1"))).isGreaterThan(MAX_BYTES);
    List<Integer> all = new ArrayList<>(oldest);
    all.addAll(older);
    all.addAll(current);
    assertThat(all).isSorted().doesNotHaveDuplicates().endsWith(LINES);
  }

  /**
   * The line numbers of a file, which must be consecutive. A write that straddled the copy may
   * leave a rotated file ending in part of a line; the rest of it was cut with the truncation.
   */
  private static List<Integer> numbers(Path file, boolean rotated) throws Exception {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    assertThat(text).as(file + " has no hole").doesNotContain("\0");
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    String last = lines.remove(lines.size() - 1);
    if (!rotated) {
      assertThat(last).as(file + " ends with a whole line").isEmpty();
    }
    List<Integer> numbers = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as(file + ": " + line).isTrue();
      numbers.add(Integer.parseInt(m.group(1)));
    }
    for (int i = 1; i < numbers.size(); i++) {
      assertThat(numbers.get(i)).as(file + " line " + i).isEqualTo(numbers.get(i - 1) + 1);
    }
    return numbers;
  }
}
