package io.drover.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.common.net.HostPort;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.Event;
import io.drover.controller.events.EventKind;
import io.drover.controller.scheduling.ServiceStatusView;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's desired state survives its restart, and a torn last record of its log (a crash
 * in the middle of an append) costs only that record: it starts from the last good state and says
 * so.
 */
class ControllerStateRestartTest {
  @TempDir Path dir;

  @Test
  void aScaleSurvivesARestartAndATornLastRecordIsCutOffAndReported() throws Exception {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(
        catalog,
        """
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: x.Hello
            replicas: {min: 0, max: 10, initial: 1}
        """);
    ControllerConfig config =
        ControllerConfig.defaults(
                new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0), dir.resolve("data"))
            .withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir));

    try (Controller first = Controller.start(config)) {
      awaitService(first);
      first.scheduler().scale("hello", 4, "test").get();
      first.scheduler().scale("hello", 7, "test").get();
    }
    // Tear the last record (the scale to 7) as a crash during its append would.
    Path segment = newestSegment(dir.resolve("data/state/log"));
    try (FileChannel log = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      log.truncate(log.size() - 3);
    }
    try (Controller second = Controller.start(config)) {
      assertThat(awaitService(second).desired())
          .as("the state before the torn record")
          .isEqualTo(4);
      List<Event> repaired =
          second.events().tail(100).stream()
              .filter(e -> e.kind() == EventKind.STATE_REPAIRED)
              .toList();
      assertThat(repaired)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e.message())
                      .contains("torn record")
                      .contains(segment.getFileName().toString()));
      second.scheduler().scale("hello", 6, "test").get();
    }
    try (Controller third = Controller.start(config)) {
      assertThat(awaitService(third).desired())
          .as("the last scale, after a clean restart")
          .isEqualTo(6);
      assertThat(third.events().tail(100)).noneMatch(e -> e.kind() == EventKind.STATE_REPAIRED);
    }
  }

  private static ServiceStatusView awaitService(Controller controller) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> controller.scheduler().services().get(), services -> services.size() == 1)
        .get(0);
  }

  private static Path newestSegment(Path logDir) throws Exception {
    try (Stream<Path> files = Files.list(logDir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".log"))
          .max(Comparator.naturalOrder())
          .orElseThrow();
    }
  }
}
