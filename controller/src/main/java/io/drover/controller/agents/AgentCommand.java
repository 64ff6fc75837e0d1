package io.drover.controller.agents;

import io.drover.controller.containers.JvmProfile;
import java.time.Duration;
import java.util.Optional;

/** An order to one agent. Each is sent with an id and is idempotent on the agent. */
public sealed interface AgentCommand {

  /** Keep {@code size} spare containers of {@code profile} on the node. */
  record SetWarmPool(JvmProfile profile, int size) implements AgentCommand {}

  /** Start containers now; with a cold assignment, one container straight into the service. */
  record StartContainers(JvmProfile profile, int count, Optional<Assignment> cold)
      implements AgentCommand {}

  /** Load a service into an IDLE container. */
  record AssignService(String containerId, Assignment assignment) implements AgentCommand {}

  /** Stop the container's service within the grace period; the container then exits. */
  record ReleaseContainer(String containerId, Duration gracePeriod) implements AgentCommand {}

  /** Stop the container with signals. */
  record StopContainer(String containerId, Duration gracePeriod, String reason)
      implements AgentCommand {}
}
