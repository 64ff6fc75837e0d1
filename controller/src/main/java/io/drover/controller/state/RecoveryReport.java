package io.drover.controller.state;

import java.util.List;

/**
 * What opening a {@link DurableStore} found and did, for the controller to log and publish as
 * events.
 *
 * @param index the index the state is as of
 * @param snapshotIndex the index of the snapshot restored; 0 if none was
 * @param replayed how many commands were replayed from the log on top of it
 * @param problems what was repaired or worked around, one sentence each, e.g. "log: dropped a torn
 *     record at offset 4711 of 00000000000000000001.log (a checksum mismatch); state is as of index
 *     41"; empty after a clean shutdown
 */
public record RecoveryReport(long index, long snapshotIndex, long replayed, List<String> problems) {
  public RecoveryReport {
    problems = List.copyOf(problems);
  }

  /** Whether nothing needed repair. */
  public boolean clean() {
    return problems.isEmpty();
  }

  /** One line for the log, e.g. "state is as of index 41: snapshot at 20, 21 commands replayed". */
  public String summary() {
    return "state is as of index "
        + index
        + ": "
        + (snapshotIndex == 0 ? "no snapshot" : "snapshot at " + snapshotIndex)
        + ", "
        + replayed
        + (replayed == 1 ? " command" : " commands")
        + " replayed from the log";
  }
}
