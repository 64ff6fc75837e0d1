package io.drover.controller.nodes;

import io.drover.common.net.PortRange;
import java.util.Optional;

/**
 * The first message of an agent's stream, checked and converted.
 *
 * @param lastEpoch the highest session epoch the agent has seen
 * @param advertiseAddress the address callers should use for this node's instances, if set
 * @param containers how many containers the agent runs now
 */
public record AgentHello(
    String nodeId,
    String nodeName,
    String agentVersion,
    long agentPid,
    NodeInventory inventory,
    long lastEpoch,
    PortRange instancePorts,
    Optional<String> advertiseAddress,
    int httpPort,
    int containers) {}
