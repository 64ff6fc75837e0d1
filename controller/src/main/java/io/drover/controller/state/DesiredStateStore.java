package io.drover.controller.state;

import java.nio.file.Path;
import java.util.List;

/**
 * The controller's desired state, durable in a data directory: open it once at start, read {@link
 * #state()}, and change it only through {@link #submit}. A {@link DurableStore} of {@link
 * StateCommand}s underneath.
 *
 * <p>Not thread-safe: one thread (the scheduler's) submits and reads.
 */
public final class DesiredStateStore implements AutoCloseable {
  private final DesiredStateMachine machine;
  private final DurableStore<StateCommand> store;

  private DesiredStateStore(DesiredStateMachine machine, DurableStore<StateCommand> store) {
    this.machine = machine;
    this.store = store;
  }

  /** Opens the state in {@code dir} with the default options (a snapshot every 1000 commands). */
  public static DesiredStateStore open(Path dir) {
    return open(dir, DurableStore.Options.DEFAULTS);
  }

  /**
   * Opens the state in {@code dir} (created if missing), restoring the newest snapshot and
   * replaying the log; what had to be repaired is in {@link #recovery()}.
   *
   * @throws CorruptStateException if commands would be lost
   */
  public static DesiredStateStore open(Path dir, DurableStore.Options options) {
    DesiredStateCodec codec = new DesiredStateCodec();
    DesiredStateMachine machine = new DesiredStateMachine(codec);
    return new DesiredStateStore(machine, DurableStore.open(dir, machine, codec, options));
  }

  /** The state, read-only; it reflects every command submitted so far. */
  public DesiredState state() {
    return machine.state();
  }

  /** What opening found and repaired: print it and publish it as events. */
  public RecoveryReport recovery() {
    return store.recovery();
  }

  /** Logs the command durably, then applies it; returns its log index. */
  public long submit(StateCommand command) {
    return store.submit(command);
  }

  /** Logs several commands with one sync, then applies them in order; returns the last index. */
  public long submitAll(List<? extends StateCommand> commands) {
    return store.submitAll(commands);
  }

  /** Takes a snapshot now (e.g. at shutdown, for a quicker start). */
  public void snapshot() {
    store.snapshot();
  }

  @Override
  public void close() {
    store.close();
  }
}
