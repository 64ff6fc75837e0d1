package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlFileCatalogSourceTest {
  private static final Duration FAST = Duration.ofMillis(50);
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Path file;
  private final List<AutoCloseable> opened = new ArrayList<>();

  static String catalog(int minReplicas) {
    return """
        # the catalog of the test
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: x.Hello
            replicas: {min: %d, max: 4}
        """
        .formatted(minReplicas);
  }

  static final String BROKEN =
      """
      services:
        - name: hello
          artifact: {path: hello.jar}
          entry: x.Hello
          replicas: {min: 5, max: 4}
      """;

  @BeforeEach
  void writeCatalog() throws IOException {
    file = dir.resolve("catalog.yaml");
    Files.writeString(file, catalog(1));
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("drover-catalog-file")));
  }

  private YamlFileCatalogSource source() {
    YamlFileCatalogSource source = new YamlFileCatalogSource(file, FAST);
    opened.add(source);
    return source;
  }

  private static int minReplicas(Catalog catalog) {
    return catalog.service("hello").orElseThrow().replicas().min();
  }

  @Test
  void loadsTheFile() {
    YamlFileCatalogSource source = source();

    assertThat(minReplicas(source.load())).isEqualTo(1);
    assertThat(source.describe()).isEqualTo("file " + file);
  }

  @Test
  void aMissingFileIsAProblemWithItsPath() throws IOException {
    Files.delete(file);

    assertThatThrownBy(() -> source().load()).hasMessage(file + ": file not found");
  }

  @Test
  void problemsNameTheFile() throws IOException {
    Files.writeString(file, BROKEN);

    assertThatThrownBy(() -> source().load())
        .hasMessage(file + ":5:29: services[hello].replicas.max: must be at least min (5), not 4");
  }

  @Test
  void watchSeesAnEditInPlace() throws IOException {
    YamlFileCatalogSource source = source();
    source.load();
    RecordingListener listener = new RecordingListener();
    source.watch(listener);

    Files.writeString(file, catalog(2));

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
    assertThat(minReplicas(listener.lastChange())).isEqualTo(2);
    assertThat(listener.threads).containsOnly("drover-catalog-file");
  }

  @Test
  void watchSeesAFileReplacedByRename() throws IOException {
    YamlFileCatalogSource source = source();
    source.load();
    RecordingListener listener = new RecordingListener();
    source.watch(listener);

    Path edited = dir.resolve(".catalog.yaml.swp");
    Files.writeString(edited, catalog(3));
    Files.move(edited, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
    assertThat(minReplicas(listener.lastChange())).isEqualTo(3);
  }

  @Test
  void anEditThatChangesNothingIsNoChange() throws IOException {
    YamlFileCatalogSource source = source();
    source.load();
    RecordingListener listener = new RecordingListener();
    source.watch(listener);

    Files.writeString(file, "# a new comment\n" + catalog(1));
    // Six poll intervals: the watcher reads the edit, and must stay quiet about it.
    await().during(FAST.multipliedBy(6)).atMost(PATIENCE).until(listener.changes::isEmpty);
    Files.writeString(file, catalog(2));

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
    assertThat(minReplicas(listener.lastChange())).isEqualTo(2);
    assertThat(listener.problems).isEmpty();
  }

  @Test
  void aBrokenEditIsReportedAndTheLastGoodCatalogStaysInForce() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (LiveCatalog live = LiveCatalog.start(source(), listener)) {
      Catalog good = live.current();

      Files.writeString(file, BROKEN);

      await().atMost(PATIENCE).until(() -> listener.problems.size() == 1);
      assertThat(listener.problems.get(0).problems())
          .containsExactly(
              file + ":5:29: services[hello].replicas.max: must be at least min (5), not 4");
      assertThat(listener.changes).isEmpty();
      assertThat(live.current()).isSameAs(good);
      assertThat(live.problem()).containsSame(listener.problems.get(0));

      Files.writeString(file, catalog(4));

      await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
      assertThat(minReplicas(live.current())).isEqualTo(4);
      assertThat(live.problem()).isEmpty();
      assertThat(listener.problems).hasSize(1);
    }
  }

  @Test
  void aDeletedFileIsReportedAndTheLastGoodCatalogStaysInForce() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (LiveCatalog live = LiveCatalog.start(source(), listener)) {
      Files.delete(file);

      await().atMost(PATIENCE).until(() -> listener.problems.size() == 1);
      assertThat(listener.problems.get(0)).hasMessage(file + ": file not found");
      assertThat(minReplicas(live.current())).isEqualTo(1);
    }
  }

  @Test
  void startingOnAnInvalidCatalogFails() throws IOException {
    Files.writeString(file, BROKEN);

    assertThatThrownBy(() -> LiveCatalog.start(source(), new RecordingListener()))
        .isInstanceOf(CatalogException.class);
  }

  @Test
  void applyReplacesTheFileAndKeepsItsPermissions() throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    YamlFileCatalogSource source = source();

    Catalog applied = source.apply(catalog(3), "request");

    assertThat(minReplicas(applied)).isEqualTo(3);
    assertThat(Files.readString(file)).isEqualTo(catalog(3));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
    assertThat(source.load()).isEqualTo(applied);
    assertThat(filesIn(dir)).containsExactly("catalog.yaml");
  }

  @Test
  void applyOfInvalidTextLeavesTheFileUntouched() throws IOException {
    byte[] before = Files.readAllBytes(file);
    var modified = Files.getLastModifiedTime(file);
    YamlFileCatalogSource source = source();

    assertThatThrownBy(() -> source.apply(BROKEN, "request"))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "request:5:29: services[hello].replicas.max: must be at least min (5), not 4"));

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
    assertThat(filesIn(dir)).containsExactly("catalog.yaml");
  }

  @Test
  void applyIsSeenByTheWatcher() {
    YamlFileCatalogSource source = source();
    source.load();
    RecordingListener listener = new RecordingListener();
    source.watch(listener);

    source.apply(catalog(2), "request");

    await().atMost(PATIENCE).until(() -> listener.changes.size() == 1);
    assertThat(minReplicas(listener.lastChange())).isEqualTo(2);
  }

  @Test
  void applyWritesThroughASymlink() throws IOException {
    Path real = dir.resolve("real.yaml");
    Files.move(file, real);
    Files.createSymbolicLink(file, real);

    source().apply(catalog(2), "request");

    assertThat(Files.isSymbolicLink(file)).isTrue();
    assertThat(Files.readString(real)).isEqualTo(catalog(2));
  }

  @Test
  void oneWatcherPerSource() {
    YamlFileCatalogSource source = source();
    source.watch(new RecordingListener());

    assertThatThrownBy(() -> source.watch(new RecordingListener()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFileLargerThanOneMebibyteIsRefusedBeforeItIsRead() throws IOException {
    Files.write(file, new byte[CatalogRules.MAX_SOURCE_BYTES + 1]);

    assertThatThrownBy(() -> source().load())
        .hasMessage(file + ": 1048577 bytes; a catalog holds at most 1 MiB (1048576 bytes)");
  }

  @Test
  void textThatIsNotUtf8IsRefused() throws IOException {
    Files.write(file, "services: [\u00e9]".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> source().load()).hasMessage(file + ": not UTF-8 text");
  }

  private static List<String> filesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
