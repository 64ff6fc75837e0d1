package io.drover.controller.state;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The desired state for every part of the controller that changes it: the scheduler's thread, gRPC
 * threads opening sessions, the fleet's provider calls. One lock serializes them, so the store
 * underneath stays single-threaded as it must; each submit holds it for one fsync.
 */
public final class SharedDesiredState implements AutoCloseable {
  private final DesiredStateStore store;

  private SharedDesiredState(DesiredStateStore store) {
    this.store = store;
  }

  /**
   * Restores the state kept in {@code dir}, repairing a torn last record; see {@link #recovery}.
   */
  public static SharedDesiredState open(Path dir) {
    return new SharedDesiredState(DesiredStateStore.open(dir));
  }

  /** Logs the command (fsync), then applies it; returns its index. */
  public synchronized long submit(StateCommand command) {
    return store.submit(command);
  }

  /** Reads the state under the lock; the function must not keep the live view. */
  public synchronized <T> T read(Function<DesiredState, T> reader) {
    return reader.apply(store.state());
  }

  public synchronized RecoveryReport recovery() {
    return store.recovery();
  }

  @Override
  public synchronized void close() {
    store.close();
  }
}
