package io.drover.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random commands in random batches, a crash after each round (the newest segment cut at a random
 * offset, sometimes the newest snapshot corrupted as well), a reopen: the state must be exactly a
 * model that applied the commands that survived, and the store must go on from there.
 */
class DesiredStateCrashTest {
  private static final int SEEDS = 25;
  private static final int ROUNDS = 6;

  @TempDir Path dir;

  /** Recoveries seen, so that the test fails if it stops reaching the paths it is about. */
  private int tornTails;

  private int fallbacks;
  private int fromSnapshot;

  @Test
  void aStoreCutAnywhereReopensToTheCommandsThatSurvived() throws IOException {
    for (long seed = 1; seed <= SEEDS; seed++) {
      run(seed);
    }
    assertThat(tornTails).isGreaterThan(SEEDS);
    assertThat(fallbacks).isPositive();
    assertThat(fromSnapshot).isGreaterThan(SEEDS);
  }

  private void run(long seed) throws IOException {
    Random random = new Random(seed);
    Path store = dir.resolve("seed-" + seed);
    DurableStore.Options options =
        new DurableStore.Options(2 + random.nextInt(7), 2, 256 + random.nextInt(1024));
    List<StateCommand> survived = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String where = "seed " + seed + ", round " + round + ", " + options;
      try (DesiredStateStore state = DesiredStateStore.open(store, options)) {
        assertThat(state.state().index()).as(where).isEqualTo(survived.size());
        assertThat(state.state().image())
            .as(where)
            .isEqualTo(DesiredStateTest.applied(survived).image());
        RecoveryReport report = state.recovery();
        tornTails += report.problems().stream().filter(p -> p.contains("torn record")).count();
        fallbacks += report.problems().stream().filter(p -> p.contains("fell back")).count();
        fromSnapshot += report.snapshotIndex() > 0 ? 1 : 0;
        for (int batches = 1 + random.nextInt(8); batches > 0; batches--) {
          List<StateCommand> batch = new ArrayList<>();
          for (int n = 1 + random.nextInt(3); n > 0; n--) {
            batch.add(randomCommand(random));
          }
          state.submitAll(batch);
          survived.addAll(batch);
        }
      }
      long kept = crash(store, random);
      survived = new ArrayList<>(survived.subList(0, (int) kept));
    }
  }

  /**
   * Cuts the newest log segment at a random offset (it holds only commands after the newest
   * snapshot) and, one time in four, corrupts the newest snapshot if there is an older one to fall
   * back on. Returns how many commands survive.
   */
  private static long crash(Path store, Random random) throws IOException {
    List<Path> snapshots = sorted(store.resolve("snapshots"), ".snapshot");
    if (snapshots.size() >= 2 && random.nextInt(4) == 0) {
      Path newest = snapshots.get(snapshots.size() - 1);
      byte[] data = Files.readAllBytes(newest);
      data[random.nextInt(data.length)] ^= (byte) (1 + random.nextInt(255));
      Files.write(newest, data);
    }
    List<Path> segments = sorted(store.resolve("log"), ".log");
    Path newest = segments.get(segments.size() - 1);
    long firstIndex = Long.parseLong(newest.getFileName().toString().replace(".log", ""));
    byte[] data = Files.readAllBytes(newest);
    int cut = random.nextInt(data.length + 1);
    try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.WRITE)) {
      channel.truncate(cut);
    }
    return firstIndex - 1 + wholeRecords(data, cut);
  }

  /** How many framed records end at or before {@code cut}. */
  private static int wholeRecords(byte[] data, int cut) {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    int count = 0;
    int position = 0;
    while (position + CommandLog.HEADER_BYTES <= cut) {
      int end = position + CommandLog.HEADER_BYTES + buffer.getInt(position);
      if (end > cut) {
        break;
      }
      count++;
      position = end;
    }
    return count;
  }

  private static List<Path> sorted(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  /** A command over a few names, so that commands meet and undo each other. */
  private static StateCommand randomCommand(Random random) {
    String service = pick(random, "orders", "billing", "hello");
    String node = pick(random, "n1", "n2", "n3");
    String server = pick(random, "i-1", "i-2");
    long time = 1_000 + random.nextInt(1_000_000);
    switch (random.nextInt(12)) {
      case 0:
        return new StateCommand.SetScale(service, random.nextInt(6));
      case 1:
        return new StateCommand.ClearScale(service);
      case 2:
        return new StateCommand.Cordon(node);
      case 3:
        return new StateCommand.Uncordon(node);
      case 4:
        return StateCommand.StartDrain.of(
            node,
            Instant.ofEpochMilli(time),
            random.nextBoolean()
                ? Optional.empty()
                : Optional.of(Instant.ofEpochMilli(time + random.nextInt(600_000))),
            1 + random.nextInt(3));
      case 5:
        return new StateCommand.EndDrain(node);
      case 6:
        return new StateCommand.RecordServer(
            server, "local", "node-" + server, time, Map.of("n", "" + random.nextInt(9)), false);
      case 7:
        return new StateCommand.ServerJoined(server);
      case 8:
        return new StateCommand.ForgetServer(server);
      case 9:
        return new StateCommand.RecordEpoch(node, 1 + random.nextInt(50));
      case 10:
        return new StateCommand.AddArtifact(
            pick(random, "a", "b", "c").repeat(64),
            service + ".jar",
            random.nextInt(1 << 20),
            time);
      default:
        return new StateCommand.ReserveInstanceNumbers(service, 1 + random.nextInt(40));
    }
  }

  private static String pick(Random random, String... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
