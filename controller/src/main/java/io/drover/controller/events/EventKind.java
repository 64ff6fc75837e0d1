package io.drover.controller.events;

/** What an event records. The names are part of the API: tools filter on them. */
public enum EventKind {
  /** A node connected for the first time since this controller started. */
  NODE_JOINED,
  /** A known node opened a new session. */
  NODE_RECONNECTED,
  /** A node's stream closed. */
  NODE_DISCONNECTED,
  /** Nothing arrived from a node for {@code suspectAfter}; it takes no new instances. */
  NODE_SUSPECT,
  /** A suspected node was heard from again in time. */
  NODE_READY_AGAIN,
  /** Nothing arrived from a node for {@code lostAfter}; its instances are replaced elsewhere. */
  NODE_LOST,
  /**
   * Most of the fleet went silent at once: no node is declared lost until fewer are (the
   * controller's own network or load is the likelier cause).
   */
  LIVENESS_HELD,
  /** Fewer nodes are silent, or the hold lasted its longest: silent nodes are declared lost. */
  LIVENESS_RESUMED,
  /** A node opened a new stream while its previous one was still open; the old one was closed. */
  NODE_SESSION_REPLACED,
  /** An operator removed a node: its certificates are revoked and it is forgotten. */
  NODE_REMOVED,
  /** A join token was created (never its value). */
  JOIN_TOKEN_CREATED,
  /** An agent traded a join token for a node certificate. */
  NODE_CERTIFICATE_ISSUED,
  /** A node renewed its certificate. */
  NODE_CERTIFICATE_RENEWED,
  /** A node takes no new instances. */
  NODE_CORDONED,
  /** A node takes instances again. */
  NODE_UNCORDONED,
  /** A drain of a node began. */
  NODE_DRAINING,
  /** A drained node runs no instance any more. */
  NODE_DRAINED,
  /** An agent broke the protocol and its stream was closed. */
  AGENT_STREAM_REJECTED,
  /** The controller started. */
  CONTROLLER_STARTED,
  /** Reopening the controller's state repaired something (a torn last record, a bad snapshot). */
  STATE_REPAIRED,
  /**
   * After a restart, the known nodes reported (or the startup grace passed): scheduling resumes.
   */
  SCHEDULING_RESUMED,
  /** A catalog came into force. */
  CATALOG_APPLIED,
  /** A catalog was refused; the last good one stays in force. */
  CATALOG_REJECTED,
  /** The number of instances a service should have changed, with the reason. */
  SERVICE_SCALED,
  /** The autoscaler would have scaled, but a stabilization window or cooldown holds it. */
  SCALING_HELD,
  /** An instance could not be placed; the message says what it waits for. */
  INSTANCE_PENDING,
  /** An instance was given a node, a container and ports. */
  INSTANCE_PLACED,
  /** An instance started and is ready. */
  INSTANCE_READY,
  /** An instance left discovery; it stops after its grace period. */
  INSTANCE_DRAINING,
  /** An instance is being stopped, with the reason. */
  INSTANCE_STOPPING,
  /** An instance stopped. */
  INSTANCE_STOPPED,
  /** An instance failed to start, crashed, or its artifact was refused. */
  INSTANCE_FAILED,
  /** An instance was lost with its node; a replacement is placed and the original fenced. */
  INSTANCE_LOST,
  /** An instance is replaced (make-before-break) because of its errors or crashes. */
  INSTANCE_REPLACING,
  /** An instance crashed and its agent restarts it in place after a backoff. */
  INSTANCE_RESTARTING,
  /** A node that came back was told to stop instances that had been replaced (fencing). */
  INSTANCES_FENCED,
  /** A node was marked unhealthy by the error policy; it takes no new instances. */
  NODE_UNHEALTHY,
  /** A service said it is overloaded. */
  INSTANCE_OVERLOADED,
  /** A service reported an error. */
  INSTANCE_ERROR,
  /** The bind test found ports taken by another process; they are avoided for a while. */
  PORTS_BUSY,
  /** A node could not start containers; placement leaves it out for a while (a backoff). */
  CONTAINER_START_FAILED,
  /** A provider was asked for a server; its agent will join under the given name. */
  SERVER_PROVISIONING,
  /** A provisioned server's agent joined. */
  SERVER_JOINED,
  /** A server was released through its provider. */
  SERVER_RELEASED,
  /** The provider owns a server the ledger did not know; it is now recorded. */
  SERVER_ADOPTED,
  /** A server in the ledger no longer exists in its environment. */
  SERVER_GONE,
  /** A provider call failed, with the provider's own message. */
  PROVIDER_ERROR,
  /** A call that changes the cluster (or was refused): who made it, the method, the outcome. */
  AUDIT
}
