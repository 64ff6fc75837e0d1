package io.drover.controller.nodes;

/** The registry's hold on an agent's stream, so that a newer stream can close an older one. */
public interface SessionHandle {
  /** Closes the stream because the same node opened another; must not block. */
  void supersede(String reason);
}
