package io.drover.controller.state;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state machine made durable by a {@link CommandLog} and a {@link SnapshotStore} in one directory
 * ({@code log/} and {@code snapshots/}). {@link #open} restores the newest readable snapshot and
 * replays the log after it; {@link #submit} logs a command (synced to disk) and then applies it, so
 * a command that returned is never lost, and one that threw was never applied. Every {@code
 * snapshotEvery} commands a snapshot is taken; once {@code snapshotsKept} snapshots exist, the log
 * segments older than the oldest of them are deleted, so that a corrupt newest snapshot can always
 * fall back on an older one plus more of the log.
 *
 * <p>Not thread-safe: one thread (the scheduler's) submits and reads the state.
 *
 * @param <C> the command type
 */
public final class DurableStore<C> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DurableStore.class);

  /**
   * How the store behaves.
   *
   * @param snapshotEvery a snapshot is taken after this many commands
   * @param snapshotsKept how many snapshots stay on disk; the log is kept back to the oldest
   * @param segmentBytes the size past which the log starts a new segment file
   */
  public record Options(int snapshotEvery, int snapshotsKept, long segmentBytes) {
    public static final Options DEFAULTS =
        new Options(1000, SnapshotStore.DEFAULT_KEEP, CommandLog.DEFAULT_SEGMENT_BYTES);

    public Options {
      if (snapshotEvery < 1) {
        throw new IllegalArgumentException("snapshotEvery: " + snapshotEvery + " is less than 1");
      }
      if (snapshotsKept < 1) {
        throw new IllegalArgumentException("snapshotsKept: " + snapshotsKept + " is less than 1");
      }
    }

    public Options withSnapshotEvery(int commands) {
      return new Options(commands, snapshotsKept, segmentBytes);
    }
  }

  private final StateMachine<C> machine;
  private final CommandCodec<C> codec;
  private final CommandLog commands;
  private final SnapshotStore snapshots;
  private final Options options;
  private final RecoveryReport recovery;
  private long sinceSnapshot;
  private String failure;
  private boolean closed;

  private DurableStore(
      StateMachine<C> machine,
      CommandCodec<C> codec,
      CommandLog commands,
      SnapshotStore snapshots,
      Options options,
      RecoveryReport recovery) {
    this.machine = machine;
    this.codec = codec;
    this.commands = commands;
    this.snapshots = snapshots;
    this.options = options;
    this.recovery = recovery;
    this.sinceSnapshot = recovery.replayed();
  }

  /**
   * Opens the store in {@code dir} (created if missing) and brings {@code machine}, which must be
   * in its initial state, up to the last command logged. What had to be repaired is in {@link
   * #recovery()}.
   *
   * @throws CorruptStateException if commands would be lost: a bad record in the middle of the log,
   *     a gap between the snapshot and the log, a logged command that does not decode
   */
  public static <C> DurableStore<C> open(
      Path dir, StateMachine<C> machine, CommandCodec<C> codec, Options options) {
    if (machine.lastAppliedIndex() != 0) {
      throw new IllegalArgumentException(
          "machine: already at index " + machine.lastAppliedIndex() + ", not initial");
    }
    List<String> problems = new ArrayList<>();
    SnapshotStore snapshots = new SnapshotStore(dir.resolve("snapshots"), options.snapshotsKept());
    CommandLog commands = CommandLog.open(dir.resolve("log"), options.segmentBytes());
    try {
      long snapshotIndex = restore(machine, snapshots, problems);
      if (commands.firstIndex() > snapshotIndex + 1) {
        throw new CorruptStateException(
            "log: starts at index "
                + commands.firstIndex()
                + " but the state is restored only up to index "
                + snapshotIndex
                + ", so commands "
                + (snapshotIndex + 1)
                + " to "
                + (commands.firstIndex() - 1)
                + " are lost"
                + (problems.isEmpty() ? "" : "; " + String.join("; ", problems)));
      }
      if (commands.lastIndex() < snapshotIndex) {
        problems.add(
            "log: ended at index "
                + commands.lastIndex()
                + ", before the snapshot at "
                + snapshotIndex
                + "; it continues after the snapshot");
        commands.resetAfter(snapshotIndex);
      }
      long[] replayed = {0};
      commands.replay(
          snapshotIndex + 1,
          (index, payload) -> {
            machine.apply(index, decode(codec, index, payload));
            replayed[0]++;
          });
      commands
          .tornTail()
          .ifPresent(
              torn ->
                  problems.add(
                      "log: dropped a torn record at offset "
                          + torn.offset()
                          + " of "
                          + torn.file()
                          + " ("
                          + torn.reason()
                          + "); state is as of index "
                          + machine.lastAppliedIndex()));
      RecoveryReport report =
          new RecoveryReport(machine.lastAppliedIndex(), snapshotIndex, replayed[0], problems);
      return new DurableStore<>(machine, codec, commands, snapshots, options, report);
    } catch (RuntimeException e) {
      commands.close();
      throw e;
    }
  }

  /** What opening found and repaired. */
  public RecoveryReport recovery() {
    return recovery;
  }

  /** The index of the last command applied. */
  public long lastIndex() {
    return machine.lastAppliedIndex();
  }

  /**
   * Logs the command, syncs it to disk, applies it, and returns its index. A command the codec
   * refuses is neither logged nor applied.
   */
  public long submit(C command) {
    return submitAll(List.of(command));
  }

  /**
   * Logs the commands together with one sync, then applies them in order; returns the index of the
   * last. Either all are logged or, if the write fails, none is applied.
   */
  public long submitAll(List<? extends C> batch) {
    ensureUsable();
    if (batch.isEmpty()) {
      return lastIndex();
    }
    List<byte[]> payloads = new ArrayList<>(batch.size());
    for (C command : batch) {
      payloads.add(codec.encode(Objects.requireNonNull(command, "command")));
    }
    long last = commands.appendAll(payloads);
    long index = last - batch.size() + 1;
    for (C command : batch) {
      try {
        machine.apply(index, command);
      } catch (RuntimeException e) {
        failure = "index " + index + " is logged but could not be applied: " + e.getMessage();
        throw e;
      }
      index++;
    }
    sinceSnapshot += batch.size();
    if (sinceSnapshot >= options.snapshotEvery()) {
      try {
        snapshot();
      } catch (UncheckedIOException e) {
        // The commands are durable in the log; the snapshot is tried again later.
        log.warn("state: snapshot at index {} failed: {}", last, e.getMessage());
        sinceSnapshot = 0;
      }
    }
    return last;
  }

  /**
   * Takes a snapshot of the state now and deletes the log segments that no kept snapshot needs.
   * Done by {@link #submit} every {@code snapshotEvery} commands; call it at shutdown to make the
   * next start quicker.
   */
  public void snapshot() {
    ensureUsable();
    long index = machine.lastAppliedIndex();
    List<Long> kept = snapshots.indexes();
    if (index == 0 || (!kept.isEmpty() && kept.get(0) == index)) {
      return;
    }
    snapshots.write(index, machine.snapshot());
    sinceSnapshot = 0;
    commands.rollOver();
    kept = snapshots.indexes();
    // Until there are enough snapshots to fall back on, the log must be able to rebuild from
    // scratch should the only snapshot turn out corrupt.
    if (kept.size() >= options.snapshotsKept()) {
      commands.dropThrough(kept.get(kept.size() - 1));
    }
  }

  @Override
  public void close() {
    closed = true;
    commands.close();
  }

  private void ensureUsable() {
    if (closed) {
      throw new IllegalStateException("state: the store is closed");
    }
    if (failure != null) {
      throw new IllegalStateException("state: " + failure + "; open the store again to recover");
    }
  }

  /**
   * Restores the newest snapshot that reads, setting aside those that do not; returns its index.
   */
  private static long restore(
      StateMachine<?> machine, SnapshotStore snapshots, List<String> problems) {
    List<Long> indexes = snapshots.indexes();
    for (int i = 0; i < indexes.size(); i++) {
      long index = indexes.get(i);
      String name = SnapshotStore.fileName(index);
      try {
        machine.restore(index, snapshots.read(index).payload());
        if (i > 0) {
          problems.add(
              "snapshot: fell back to " + name + "; the log is replayed from index " + (index + 1));
        }
        return index;
      } catch (CorruptStateException e) {
        problems.add(e.getMessage() + "; set aside as " + snapshots.setAside(index));
      } catch (IllegalArgumentException e) {
        problems.add(
            "snapshot: "
                + name
                + " cannot be read ("
                + e.getMessage()
                + "); set aside as "
                + snapshots.setAside(index));
      }
    }
    if (!indexes.isEmpty()) {
      problems.add("snapshot: none could be read; the log is replayed from its start");
    }
    return 0;
  }

  private static <C> C decode(CommandCodec<C> codec, long index, byte[] payload) {
    try {
      return codec.decode(payload);
    } catch (IllegalArgumentException e) {
      throw new CorruptStateException(
          "log: the command at index " + index + " cannot be read: " + e.getMessage(), e);
    }
  }
}
