package io.drover.controller.scaling;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link Autoscaler} decided for a service at one evaluation or overload report.
 *
 * @param current the desired count the decision started from
 * @param desired the new desired count; equal to {@code current} unless {@link Kind#SCALED}
 * @param message for the event, with the numbers: {@code scaled orders 2→3: ...}, {@code would
 *     scale orders down 3→2 (...), but stabilization holds until 12:03:10}; empty when {@link
 *     Kind#NOT_DUE}
 * @param heldUntil for {@link Kind#HELD}: when the window or cooldown that holds the change ends;
 *     empty when it is the service's max that holds it
 * @param repeated for {@link Kind#HELD}: the previous decision was held by the same thing until the
 *     same time, so the message need not be reported again
 * @param details one line per target and rule: its value and what it recommended, or why it could
 *     not
 */
public record ScalingDecision(
    String service,
    Kind kind,
    int current,
    int desired,
    String message,
    Optional<Instant> heldUntil,
    boolean repeated,
    List<String> details) {

  public enum Kind {
    /** Less than the policy's interval since the last evaluation: nothing was evaluated. */
    NOT_DUE,
    /** Evaluated, and nothing asks for a change (or no metric could say). */
    STEADY,
    /** A change is recommended, but a stabilization window, a cooldown or the max holds it. */
    HELD,
    /** The desired count changes. */
    SCALED,
    /** An overload report that does not count: one already counted, or overload is off. */
    IGNORED
  }

  public ScalingDecision {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(heldUntil, "heldUntil");
    details = List.copyOf(details);
    if ((kind == Kind.SCALED) != (desired != current)) {
      throw new IllegalArgumentException(
          kind + " decision from " + current + " to " + desired + " for " + service);
    }
  }

  /** The desired count changes. */
  public boolean changes() {
    return kind == Kind.SCALED;
  }

  /** Worth an event: every change, and each near-decision the first time it is made. */
  public boolean reportable() {
    return kind == Kind.SCALED || (kind == Kind.HELD && !repeated);
  }
}
