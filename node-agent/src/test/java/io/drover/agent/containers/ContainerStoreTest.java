package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.drover.v1.ContainerState;
import io.drover.v1.HealthCheck;
import io.drover.v1.JvmProfile;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ContainerStoreTest {
  @TempDir Path dir;
  private ContainerStore store;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ContainerStore.class);

  @BeforeEach
  void setUp() {
    store = new ContainerStore(dir.resolve("records"));
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(logs);
  }

  static ContainerRecord running(String id) {
    ContainerRecord record =
        new ContainerRecord(
            id,
            "secret-of-" + id,
            JvmProfile.newBuilder().setName("small").setHeapMb(64).addFlags("-Xss512k").build(),
            Path.of("/var/lib/drover/agent/containers", id),
            Instant.ofEpochMilli(1_700_000_000_123L));
    record.recordedPid = 4242;
    record.processStartMs = 1_700_000_000_100L;
    record.argumentsSha256 = "ab".repeat(32);
    record.state = ContainerState.CONTAINER_STATE_RUNNING;
    record.assignment =
        ServiceAssignment.newBuilder()
            .setService("hello")
            .setInstanceId("hello-1")
            .addPorts(PortBinding.newBuilder().setName("http").setPort(20001))
            .setArtifact("/opt/hello.jar")
            .setSha256("cd".repeat(32))
            .setEntry("io.drover.examples.hello.HelloService")
            .putEnv("GREETING", "hi")
            .setGracePeriodMs(5000)
            .setHealth(HealthCheck.newBuilder().setType(HealthCheck.Type.TYPE_TCP))
            .build();
    record.instanceRan = true;
    record.restarts = 2;
    record.lastError = "exited with code 70";
    return record;
  }

  @Test
  void aRecordComesBackAsItWasWritten() {
    ContainerRecord written = running("c0001");
    store.save(written.toStored());

    List<StoredContainer> loaded = store.load();
    assertThat(loaded).singleElement().isEqualTo(written.toStored());
    ContainerRecord read = ContainerRecord.fromStored(loaded.get(0), written.dir);
    assertThat(read.report()).isEqualTo(written.report());
    assertThat(read.assignment).isEqualTo(written.assignment);
    assertThat(read.profile).isEqualTo(written.profile);
    assertThat(read.secret).isEqualTo(written.secret);
    assertThat(read.processStartMs).isEqualTo(written.processStartMs);
    assertThat(read.argumentsSha256).isEqualTo(written.argumentsSha256);
    assertThat(read.instanceRan).isTrue();
  }

  @Test
  void writesReplaceTheWholeFileAndLeaveNoTemporaryFileBehind() throws Exception {
    ContainerRecord record = running("c0002");
    store.save(record.toStored());
    record.state = ContainerState.CONTAINER_STATE_STOPPING;
    record.stopRequested = true;
    store.save(record.toStored());

    try (Stream<Path> files = Files.list(store.dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("c0002.json");
    }
    assertThat(store.load())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.state()).isEqualTo("STOPPING");
              assertThat(s.stopRequested()).isTrue();
            });
    // The records hold secrets: only the agent reads them.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dir())))
        .isEqualTo("rwx------");

    store.delete("c0002");
    assertThat(store.load()).isEmpty();
  }

  @Test
  void aWriteCutShortLeavesTheRecordBeforeIt() throws Exception {
    ContainerRecord record = running("c0003");
    store.save(record.toStored());
    // An agent killed in the middle of a write leaves only its temporary file half written.
    Files.writeString(store.dir().resolve("c0003.json.tmp"), "{\"version\":1,\"contai");

    assertThat(store.load()).singleElement().isEqualTo(record.toStored());
    assertThat(store.dir().resolve("c0003.json.tmp")).doesNotExist();
  }

  @Test
  void aCorruptRecordIsSetAsideWithALogLineAndTheOthersAreRead() throws Exception {
    store.save(running("c0004").toStored());
    Path corrupt = store.dir().resolve("c0005.json");
    Files.writeString(corrupt, "{ this is not json", StandardCharsets.UTF_8);
    Path wrongName = store.dir().resolve("c0006.json");
    Files.writeString(
        wrongName,
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(running("c0099").toStored()));

    List<StoredContainer> loaded = store.load();

    assertThat(loaded).extracting(StoredContainer::containerId).containsExactly("c0004");
    assertThat(corrupt).doesNotExist();
    assertThat(store.dir().resolve("c0005.json.corrupt")).exists();
    assertThat(store.dir().resolve("c0006.json.corrupt")).exists();
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel() == Level.ERROR)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith("skipping the container record " + corrupt)
                    .contains("moved to c0005.json.corrupt"))
        .anySatisfy(m -> assertThat(m).contains("it names container c0099"));
    // Read again, the set-aside files are not complained about twice.
    logs.list.clear();
    assertThat(store.load()).hasSize(1);
    assertThat(logs.list).isEmpty();
  }

  @Test
  void noDirectoryMeansNoRecords() {
    assertThat(new ContainerStore(dir.resolve("nowhere")).load()).isEmpty();
  }
}
