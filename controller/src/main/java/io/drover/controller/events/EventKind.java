package io.drover.controller.events;

/** What an event records. The names are part of the API: tools filter on them. */
public enum EventKind {
  /** A node connected for the first time since this controller started. */
  NODE_JOINED,
  /** A known node opened a new session. */
  NODE_RECONNECTED,
  /** A node's stream closed. */
  NODE_DISCONNECTED,
  /** A node opened a new stream while its previous one was still open; the old one was closed. */
  NODE_SESSION_REPLACED,
  /** An agent broke the protocol and its stream was closed. */
  AGENT_STREAM_REJECTED,
  /** The controller started. */
  CONTROLLER_STARTED
}
