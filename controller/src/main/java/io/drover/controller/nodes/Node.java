package io.drover.controller.nodes;

import io.drover.common.net.PortRange;
import java.time.Instant;
import java.util.Optional;

/**
 * A node as the controller sees it at one moment: an immutable snapshot.
 *
 * @param address where the node's instances are reached: its advertised address, or the address its
 *     agent connected from
 * @param lastSeen when the last message of the agent arrived
 * @param connectedAt when the current (or last) session began
 * @param cordoned takes no new instances (an operator's cordon, or a drain)
 * @param telemetry the node's last telemetry sample of this session, as received
 */
public record Node(
    String id,
    String name,
    NodeState state,
    String address,
    String agentVersion,
    long agentPid,
    long sessionEpoch,
    Instant lastSeen,
    Instant connectedAt,
    PortRange instancePorts,
    int httpPort,
    int containers,
    boolean cordoned,
    NodeInventory inventory,
    Optional<TelemetrySample> telemetry) {

  /** The last telemetry sample, converted (once per sample) when first read. */
  public Optional<NodeLoad> load() {
    return telemetry.map(TelemetrySample::load);
  }
}
