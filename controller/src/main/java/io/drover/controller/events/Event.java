package io.drover.controller.events;

import java.time.Instant;
import java.util.Map;

/**
 * A record of a decision or a change, with its reason.
 *
 * @param sequence strictly increasing within one controller run; lets a watcher resume
 * @param subject what it happened to: {@code node/NAME}, {@code service/NAME}, ...
 * @param message for people, with the numbers behind the decision
 * @param attributes the same numbers, for tools
 */
public record Event(
    long sequence,
    Instant time,
    EventKind kind,
    String subject,
    String message,
    Map<String, String> attributes) {}
