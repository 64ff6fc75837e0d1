package io.drover.controller.logs;

/**
 * What a reader asks of an instance's log.
 *
 * @param tailLines how many of the last lines to send first; 0 for none
 * @param follow keep sending what is written until cancelled or the instance is gone
 */
public record LogRequest(String instanceId, boolean follow, int tailLines) {}
