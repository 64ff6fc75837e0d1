package io.drover.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.LogData;
import io.drover.v1.LogEnd;
import io.drover.v1.OpenLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStreamsTest {
  @TempDir Path containersDir;

  private final AtomicReference<List<ContainerReport>> containers =
      new AtomicReference<>(List.of());
  private final List<LogData> sent = new CopyOnWriteArrayList<>();
  private LogStreams streams;

  @AfterEach
  void close() {
    if (streams != null) {
      streams.close();
    }
  }

  private LogStreams streams() {
    streams = new LogStreams(new InstanceLogs(containersDir, containers::get));
    return streams;
  }

  @Test
  void theTailIsSentAndTheStreamCompletes() throws IOException {
    running("c0a1", "hello-1");
    write("c0a1", "one\ntwo\nthree\n");
    streams().open(open(1, "hello-1", 2, false, 8), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(text()).isEqualTo("two\nthree\n");
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_COMPLETE);
    assertThat(sent)
        .filteredOn(d -> !d.getData().isEmpty())
        .allMatch(d -> d.getContainerId().equals("c0a1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.active() == 0);
  }

  @Test
  void noMoreThanTheWindowIsSentBeforeCredit() throws IOException {
    running("c0a1", "hello-1");
    // Ten chunks' worth of lines of 1 KiB: 330 lines.
    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 330; i++) {
      log.append(String.format("%-1023d", i).replace(' ', '.')).append('\n');
    }
    write("c0a1", log.toString());
    streams().open(open(1, "hello-1", 1000, false, 3), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 3);
    // The reader thread waits for credit: nothing more comes.
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> sent.size() == 3);
    streams.credit(1, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 5);
    streams.credit(1, 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(text()).isEqualTo(log.toString());
    assertThat(sent).allMatch(d -> d.getData().size() <= LogStreams.CHUNK_BYTES);
  }

  @Test
  void followSendsNewLinesUntilCancelled() throws IOException {
    running("c0a1", "hello-1");
    write("c0a1", "started\n");
    streams().open(open(1, "hello-1", 10, true, 8), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> text().equals("started\n"));
    append("c0a1", "a request\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> text().equals("started\na request\n"));
    streams.cancel(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.active() == 0);
    append("c0a1", "after the cancel\n");
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> text().equals("started\na request\n"));
    assertThat(ended()).as("a cancelled stream sends no end").isNull();
  }

  @Test
  void followGoesOnInTheNewContainerAfterARestartInPlaceAndEndsWhenTheInstanceIsGone()
      throws IOException {
    running("c0a1", "hello-1");
    write("c0a1", "first run\n");
    streams().open(open(1, "hello-1", 10, true, 8), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> text().equals("first run\n"));
    // The container dies; its instance waits for its restart in place.
    append("c0a1", "crashing\n");
    containers.set(
        List.of(
            report("c0a1", "hello-1", ContainerState.CONTAINER_STATE_FAILED).toBuilder()
                .setRestartAtMs(System.currentTimeMillis() + 1000)
                .build()));
    await().atMost(Duration.ofSeconds(10)).until(() -> text().endsWith("crashing\n"));
    write("c0b2", "second run\n");
    running("c0b2", "hello-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> text().equals("first run\ncrashing\nsecond run\n"));
    assertThat(sent.get(sent.size() - 1).getContainerId()).isEqualTo("c0b2");
    append("c0b2", "stopping\n");
    containers.set(List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(text()).endsWith("second run\nstopping\n");
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_INSTANCE_GONE);
    assertThat(ended().getMessage()).contains("hello-1").contains("no longer runs");
  }

  @Test
  void anInstanceThatRunsNowhereHereIsNotFound() {
    streams().open(open(1, "hello-7", 10, false, 8), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_NOT_FOUND);
    assertThat(ended().getMessage()).contains("hello-7");
  }

  @Test
  void aContainerWithoutALogYetSaysSo() throws IOException {
    running("c0a1", "hello-1");
    Files.createDirectories(containersDir.resolve("c0a1"));
    streams().open(open(1, "hello-1", 10, false, 8), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_NO_LOG);
    assertThat(ended().getMessage()).contains("hello-1").contains("no log yet");
  }

  @Test
  void theLastContainerOfAStoppedInstanceIsReadAndTheFollowEnds() throws IOException {
    write("c0a1", "ran once\n");
    streams()
        .open(
            open(1, "hello-1", 10, true, 8).toBuilder().setContainerId("c0a1").build(), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(text()).isEqualTo("ran once\n");
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_INSTANCE_GONE);
  }

  @Test
  void aContainerIdThatIsNotOneNamesNoDirectory() throws IOException {
    Files.writeString(containersDir.resolveSibling("service.log"), "not a container's\n");
    streams()
        .open(open(1, "hello-1", 10, false, 8).toBuilder().setContainerId("..").build(), sent::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> ended() != null);
    assertThat(ended().getReason()).isEqualTo(LogEnd.Reason.REASON_NOT_FOUND);
  }

  private static OpenLog open(long id, String instance, int tail, boolean follow, int window) {
    return OpenLog.newBuilder()
        .setStreamId(id)
        .setInstanceId(instance)
        .setTailLines(tail)
        .setFollow(follow)
        .setWindow(window)
        .build();
  }

  private void running(String containerId, String instance) {
    containers.set(List.of(report(containerId, instance, ContainerState.CONTAINER_STATE_RUNNING)));
  }

  private static ContainerReport report(String containerId, String instance, ContainerState state) {
    return ContainerReport.newBuilder()
        .setContainerId(containerId)
        .setInstanceId(instance)
        .setState(state)
        .build();
  }

  private void write(String containerId, String text) throws IOException {
    Path dir = Files.createDirectories(containersDir.resolve(containerId));
    Files.writeString(dir.resolve("service.log"), text);
  }

  private void append(String containerId, String text) throws IOException {
    Files.writeString(
        containersDir.resolve(containerId).resolve("service.log"), text, StandardOpenOption.APPEND);
  }

  private String text() {
    return sent.stream()
        .map(d -> d.getData().toString(StandardCharsets.UTF_8))
        .collect(Collectors.joining());
  }

  private LogEnd ended() {
    return sent.stream().filter(LogData::hasEnd).map(LogData::getEnd).findFirst().orElse(null);
  }
}
