package io.drover.controller.nodes;

/** Where a node stands with the controller. */
public enum NodeState {
  /** The agent's stream is open. */
  READY,
  /** The agent's stream closed; its instances stay where they are for now. */
  DISCONNECTED
}
