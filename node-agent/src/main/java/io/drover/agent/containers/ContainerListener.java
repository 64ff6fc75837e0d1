package io.drover.agent.containers;

import io.drover.v1.ContainerReport;
import io.drover.v1.ErrorReport;
import io.drover.v1.OverloadReport;

/** What the supervisor reports to the rest of the agent (and so to the controller). */
public interface ContainerListener {
  /**
   * A container changed state.
   *
   * @param commandId the command that caused it, or empty
   */
  void changed(ContainerReport report, String commandId);

  void overload(OverloadReport report);

  void error(ErrorReport report);
}
