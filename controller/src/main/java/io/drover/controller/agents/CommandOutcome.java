package io.drover.controller.agents;

import java.util.List;

/**
 * What an agent answered to a command.
 *
 * @param busyPorts ports the bind test found taken: the assignment did not happen
 * @param containerIds containers a StartContainers command started
 */
public record CommandOutcome(
    String commandId,
    boolean ok,
    String error,
    List<Integer> busyPorts,
    List<String> containerIds) {

  public CommandOutcome {
    busyPorts = List.copyOf(busyPorts);
    containerIds = List.copyOf(containerIds);
  }

  public static CommandOutcome failed(String commandId, String error) {
    return new CommandOutcome(commandId, false, error, List.of(), List.of());
  }
}
