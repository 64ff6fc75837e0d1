package io.drover.controller.nodes;

/** Where a node stands with the controller, as the failure detector sees it. */
public enum NodeState {
  /** The agent's stream is open and its telemetry arrives on time. */
  READY,
  /** The stream is open but nothing has arrived for {@code suspectAfter}: no new placements. */
  SUSPECT,
  /** The agent's stream closed; its instances stay where they are until it is declared lost. */
  DISCONNECTED,
  /** Nothing heard for {@code lostAfter}: its instances are replaced elsewhere. */
  LOST;

  /** Whether the node's session is open, so that commands can reach it. */
  public boolean connected() {
    return this == READY || this == SUSPECT;
  }
}
