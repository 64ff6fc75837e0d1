package io.drover.controller.agents;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import java.util.List;
import java.util.Map;

/**
 * What agents report, for the part of the controller that keeps actual state. Called on gRPC
 * threads: implementations only queue the news.
 */
public interface AgentEvents {
  /** A node opened a session and listed every container it runs. */
  void sessionOpened(String nodeId, long epoch, List<ContainerView> containers);

  /** The node's session ended. */
  void sessionClosed(String nodeId, long epoch);

  /** A container changed state; {@code commandId} names the command behind it, if any. */
  void containerChanged(String nodeId, ContainerView container, String commandId);

  /**
   * The load of the node's containers in its latest sample, by container id; it replaces what the
   * node reported before (an agent reports every container it runs in each sample).
   */
  void containerLoads(String nodeId, Map<String, ContainerLoad> loads);

  /** The latest loads of several nodes at once, by node id: as one call of the above per node. */
  default void nodeLoads(Map<String, Map<String, ContainerLoad>> byNode) {
    byNode.forEach(this::containerLoads);
  }

  /** A service said it is overloaded. */
  void overload(String nodeId, String instanceId, String reason);

  /** A service reported an error. */
  void error(String nodeId, String instanceId, String error);

  /** Ignores everything; for parts of the controller that run without a scheduler. */
  AgentEvents NONE =
      new AgentEvents() {
        @Override
        public void sessionOpened(String nodeId, long epoch, List<ContainerView> containers) {}

        @Override
        public void sessionClosed(String nodeId, long epoch) {}

        @Override
        public void containerChanged(String nodeId, ContainerView container, String commandId) {}

        @Override
        public void containerLoads(String nodeId, Map<String, ContainerLoad> loads) {}

        @Override
        public void overload(String nodeId, String instanceId, String reason) {}

        @Override
        public void error(String nodeId, String instanceId, String error) {}
      };
}
