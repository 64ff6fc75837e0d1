package io.drover.controller.state;

/**
 * State changed only by applying committed commands in log order, shaped after Apache Ratis' {@code
 * StateMachine} so that a replicated log can later drive the same implementation:
 *
 * <table>
 *   <caption>Ratis counterparts</caption>
 *   <tr><th>here</th><th>Ratis</th></tr>
 *   <tr><td>{@link #apply}</td><td>{@code applyTransaction}: the entry's index and its data</td></tr>
 *   <tr><td>{@link #lastAppliedIndex}</td><td>{@code getLastAppliedTermIndex}</td></tr>
 *   <tr><td>{@link #snapshot}</td><td>{@code takeSnapshot}, minus the file handling</td></tr>
 *   <tr><td>{@link #restore}</td><td>{@code initialize}/{@code reinitialize} from the latest
 *       snapshot</td></tr>
 * </table>
 *
 * <p>Implementations must be deterministic (the same commands in the same order give the same
 * state, with no clock or randomness read while applying) and must not throw from {@link #apply}
 * for a command that could be encoded: by then it is in the log. Called from one thread.
 *
 * @param <C> the command type
 */
public interface StateMachine<C> {

  /**
   * Applies a committed command. Indexes increase strictly but need not be consecutive: a
   * replicated log spends some on its own configuration entries.
   */
  void apply(long index, C command);

  /** The index of the last command applied or restored; 0 for the initial state. */
  long lastAppliedIndex();

  /** The whole state as of {@link #lastAppliedIndex()}, as bytes that {@link #restore} reads. */
  byte[] snapshot();

  /**
   * Replaces the whole state with a snapshot taken at {@code index}. All or nothing: if the bytes
   * cannot be read, it throws and leaves the state as it was, so that an older snapshot can be
   * tried instead.
   */
  void restore(long index, byte[] snapshot);
}
