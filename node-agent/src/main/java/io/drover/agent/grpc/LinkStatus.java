package io.drover.agent.grpc;

import java.time.Instant;

/**
 * The state of the agent's link to the controller, for health checks and logs.
 *
 * @param connected true between the controller's welcome and the end of that stream
 * @param sessionEpoch the epoch of the current (or last) session; 0 before the first
 * @param since when the link entered this state
 * @param lastError why the last stream ended; empty if none has
 */
public record LinkStatus(boolean connected, long sessionEpoch, Instant since, String lastError) {}
