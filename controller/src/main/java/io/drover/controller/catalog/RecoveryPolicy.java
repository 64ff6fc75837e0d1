package io.drover.controller.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * What the controller does about an instance that reports errors or keeps crashing, while its node
 * is reachable. Every replacement is make-before-break: the new instance is ready before the old
 * one stops.
 *
 * @param errorThreshold error reports ({@code reportError}) within {@code errorWindow} that trigger
 *     {@code onErrors}
 * @param crashThreshold in-place restarts within {@code crashWindow} after which the instance is
 *     replaced on another node
 */
public record RecoveryPolicy(
    int errorThreshold,
    Duration errorWindow,
    ErrorAction onErrors,
    int crashThreshold,
    Duration crashWindow) {

  /** What too many error reports lead to. */
  public enum ErrorAction {
    /** A fresh instance replaces it, on whichever node placement picks. */
    RESTART,
    /** A fresh instance replaces it on another node. */
    REPLACE,
    /** Its node is marked unhealthy (it takes no new instances), and it is replaced elsewhere. */
    UNHEALTHY
  }

  public static final RecoveryPolicy DEFAULT =
      new RecoveryPolicy(5, Duration.ofMinutes(1), ErrorAction.REPLACE, 3, Duration.ofMinutes(5));

  public RecoveryPolicy {
    Objects.requireNonNull(errorWindow, "errorWindow");
    Objects.requireNonNull(onErrors, "onErrors");
    Objects.requireNonNull(crashWindow, "crashWindow");
    if (errorThreshold < 1 || crashThreshold < 1) {
      throw new IllegalArgumentException("thresholds must be at least 1");
    }
  }
}
