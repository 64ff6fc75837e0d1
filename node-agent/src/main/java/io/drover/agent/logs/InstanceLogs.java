package io.drover.agent.logs;

import io.drover.agent.containers.ContainerLauncher;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Finds the log of an instance on this node: the {@code service.log} of the container that runs it
 * now, or of the dead container that waits for its restart in place, or, for an instance that no
 * longer runs here, of the container the controller last saw running it.
 */
public final class InstanceLogs {
  /** Container ids as the supervisor makes them; anything else never names a directory. */
  private static final Pattern CONTAINER_ID = Pattern.compile("c[0-9a-f]{1,32}");

  private final Path containersDir;
  private final Supplier<List<ContainerReport>> containers;

  /**
   * @param containers every live container and each dead one whose instance waits for its restart
   *     (the supervisor's hello view)
   */
  public InstanceLogs(Path containersDir, Supplier<List<ContainerReport>> containers) {
    this.containersDir = containersDir;
    this.containers = containers;
  }

  /**
   * Where an instance's log is.
   *
   * @param live whether a container of this node runs the instance, or will again after a restart
   *     in place; false for the log a finished instance left behind
   */
  public record Location(String containerId, Path file, boolean live) {}

  /**
   * @param lastContainerId the container the controller last saw running the instance; used when no
   *     container of this node runs it now (empty: none)
   */
  public Optional<Location> locate(String instanceId, String lastContainerId) {
    ContainerReport waiting = null;
    for (ContainerReport container : containers.get()) {
      if (!container.getInstanceId().equals(instanceId)) {
        continue;
      }
      if (!ended(container.getState())) {
        return Optional.of(location(container.getContainerId(), true));
      }
      if (container.getRestartAtMs() > 0) {
        waiting = container;
      }
    }
    if (waiting != null) {
      return Optional.of(location(waiting.getContainerId(), true));
    }
    if (CONTAINER_ID.matcher(lastContainerId).matches()
        && Files.isDirectory(containersDir.resolve(lastContainerId))) {
      return Optional.of(location(lastContainerId, false));
    }
    return Optional.empty();
  }

  private Location location(String containerId, boolean live) {
    return new Location(
        containerId,
        containersDir.resolve(containerId).resolve(ContainerLauncher.SERVICE_LOG),
        live);
  }

  private static boolean ended(ContainerState state) {
    return state == ContainerState.CONTAINER_STATE_EXITED
        || state == ContainerState.CONTAINER_STATE_FAILED;
  }
}
