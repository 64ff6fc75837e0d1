package io.drover.agent.commands;

import io.drover.agent.containers.ContainerSupervisor;
import io.drover.agent.containers.PortProbe;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Carries out the controller's commands. Commands are idempotent by id: a replayed id gets the
 * result of its first run, and nothing runs twice.
 */
public final class CommandHandler {
  private static final int REMEMBERED = 4096;

  private final ContainerSupervisor supervisor;
  private final Map<String, CompletableFuture<CommandResult>> recent =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(
            Map.Entry<String, CompletableFuture<CommandResult>> eldest) {
          return size() > REMEMBERED;
        }
      };

  public CommandHandler(ContainerSupervisor supervisor) {
    this.supervisor = supervisor;
  }

  public synchronized CompletableFuture<CommandResult> handle(Command command) {
    CompletableFuture<CommandResult> earlier = recent.get(command.getCommandId());
    if (earlier != null) {
      return earlier;
    }
    CompletableFuture<CommandResult> result =
        run(command).thenApply(r -> r.toBuilder().setCommandId(command.getCommandId()).build());
    recent.put(command.getCommandId(), result);
    return result;
  }

  private CompletableFuture<CommandResult> run(Command command) {
    String id = command.getCommandId();
    return switch (command.getActionCase()) {
      case SET_WARM_POOL ->
          supervisor.setWarmPool(
              command.getSetWarmPool().getProfile(), command.getSetWarmPool().getSize());
      case START_CONTAINERS ->
          supervisor.startContainers(
              command.getStartContainers().getProfile(),
              command.getStartContainers().getCount(),
              command.getStartContainers().hasColdAssignment()
                  ? command.getStartContainers().getColdAssignment()
                  : null,
              id);
      case ASSIGN_SERVICE ->
          supervisor.assign(
              command.getAssignService().getContainerId(),
              command.getAssignService().getAssignment(),
              id);
      case RELEASE_CONTAINER ->
          supervisor.release(
              command.getReleaseContainer().getContainerId(),
              command.getReleaseContainer().getGracePeriodMs(),
              id);
      case STOP_CONTAINER ->
          supervisor.stop(
              command.getStopContainer().getContainerId(),
              command.getStopContainer().getGracePeriodMs(),
              id);
      case PROBE_PORTS -> {
        var busy = PortProbe.busy(command.getProbePorts().getPortsList());
        var free =
            command.getProbePorts().getPortsList().stream().filter(p -> !busy.contains(p)).toList();
        yield CompletableFuture.completedFuture(
            CommandResult.newBuilder()
                .setOk(true)
                .addAllFreePorts(free)
                .addAllBusyPorts(busy)
                .build());
      }
      case DRAIN_NOTICE ->
          CompletableFuture.completedFuture(CommandResult.newBuilder().setOk(true).build());
      case ACTION_NOT_SET ->
          CompletableFuture.completedFuture(
              CommandResult.newBuilder()
                  .setOk(false)
                  .setError("command " + id + " has no action")
                  .build());
    };
  }
}
