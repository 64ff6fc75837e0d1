package io.drover.controller.scaling;

import io.drover.common.config.Durations;
import io.drover.controller.catalog.ScalingPolicy;
import io.drover.controller.scaling.ScalingDecision.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides how many instances each autoscaled service should run, from the metrics of its ready
 * instances and its {@link ScalingPolicy}; docs/SCALING.md describes the decisions.
 *
 * <p>Per evaluation: the targets and rules each recommend a count and the largest wins ({@link
 * Recommendation}); the stabilization windows then bound it as Kubernetes' HPA does (a scale-up
 * goes only to the lowest recommendation within {@code upStabilization}, a scale-down only to the
 * highest within {@code downStabilization}); then the cooldowns may hold the change, then {@code
 * maxStepUp} and {@code maxStepDown} limit it, then {@code min} and {@code max}.
 *
 * <p>Pure and single-threaded: it keeps each service's history and is told the time; the scheduler
 * owns it on its loop and acts on the decisions. Not thread-safe.
 */
public final class Autoscaler {
  private final DateTimeFormatter clock;
  private final Map<String, State> states = new HashMap<>();

  /** What changed the count last, for the cooldown messages. */
  private enum Change {
    UP("the last scale-up"),
    DOWN("the last scale-down"),
    OPERATOR("the operator's scale");

    final String text;

    Change(String text) {
      this.text = text;
    }
  }

  private record Recorded(Instant at, int recommendation) {}

  private static final class State {
    Instant firstEvaluated;
    Instant lastEvaluated;
    final Deque<Recorded> history = new ArrayDeque<>();
    Instant lastChange;
    Change lastChangeKind;
    Instant lastScaleUp;
    boolean lastScaleUpByOperator;
    Instant lastOverloadCounted;
    Integer lastKnown;
    String lastHold;
    String lastOverloadHold;
  }

  /** Times in messages are written in UTC. */
  public Autoscaler() {
    this(ZoneOffset.UTC);
  }

  /**
   * @param zone the zone times in messages are written in ({@code holds until 12:03:10})
   */
  public Autoscaler(ZoneId zone) {
    this.clock = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
  }

  /**
   * Evaluates a service, at most once per {@code policy.interval()}; call it as often as you like
   * (the scheduler calls it every tick) and act on {@link ScalingDecision#changes()}.
   *
   * @param current the service's desired count now
   * @param min the service's {@code replicas.min}
   * @param max the service's {@code replicas.max}
   * @param metrics averages over the service's ready instances: {@code cpu} (percent of one core),
   *     {@code heap} (percent of the max heap) and the service's metrics as the container flattens
   *     them; empty when no instance is ready
   */
  public ScalingDecision evaluate(
      String service,
      ScalingPolicy policy,
      int current,
      int min,
      int max,
      Map<String, Double> metrics,
      Instant now) {
    Objects.requireNonNull(metrics, "metrics");
    State st = states.computeIfAbsent(service, s -> new State());
    if (st.lastEvaluated != null && now.isBefore(st.lastEvaluated.plus(policy.interval()))) {
      return new ScalingDecision(
          service, Kind.NOT_DUE, current, current, "", Optional.empty(), false, List.of());
    }
    if (st.lastEvaluated == null) {
      st.firstEvaluated = now;
    }
    st.lastEvaluated = now;
    st.lastKnown = current;
    prune(st, policy, now);
    if (current < min || current > max) {
      int to = Math.max(min, Math.min(max, current));
      String bound = current > max ? "above the max (" + max + ")" : "below the min (" + min + ")";
      return scaled(
          st, service, current, to, now, current + " is " + bound + " of " + service, List.of());
    }
    Recommendation rec = Recommendation.of(policy, current, metrics);
    if (rec.value().isEmpty()) {
      return steady(
          st, service, current, service + " stays at " + current + ": " + rec.nothing(), rec);
    }
    int wanted = rec.value().getAsInt();
    st.history.addLast(new Recorded(now, wanted));
    if (wanted == current) {
      return steady(
          st,
          service,
          current,
          service + " stays at " + current + ": " + rec.explained(List.of()),
          rec);
    }
    return wanted > current
        ? up(st, service, policy, current, max, wanted, rec, now)
        : down(st, service, policy, current, min, wanted, rec, now);
  }

  private ScalingDecision up(
      State st,
      String service,
      ScalingPolicy policy,
      int current,
      int max,
      int wanted,
      Recommendation rec,
      Instant now) {
    int stepped = Math.min(wanted, current + policy.maxStepUp());
    String would = "would scale " + service + " up " + current + "→";
    if (current >= max) {
      return held(
          st,
          service,
          current,
          would + stepped + " (" + rec.reason() + "), but its max is " + max + rec.missingNote(),
          "up: max " + max,
          Optional.empty(),
          rec);
    }
    Duration window = policy.upStabilization();
    int lowest = wanted;
    for (Recorded r : st.history) {
      if (within(r, window, now)) {
        lowest = Math.min(lowest, r.recommendation());
      }
    }
    int stabilized = Math.max(current, lowest);
    List<String> holds = new ArrayList<>();
    Instant until = null;
    if (stabilized <= current) {
      for (Recorded r : st.history) {
        if (within(r, window, now) && r.recommendation() <= current) {
          until = r.at().plus(window);
        }
      }
      holds.add(hold(holds, "stabilization", until));
    }
    if (st.lastScaleUp != null && now.isBefore(st.lastScaleUp.plus(policy.upCooldown()))) {
      Instant end = st.lastScaleUp.plus(policy.upCooldown());
      String of = st.lastScaleUpByOperator ? "the operator's scale-up" : "the last scale-up";
      holds.add(hold(holds, "the cooldown of " + of, end));
      until = until == null || end.isAfter(until) ? end : until;
    }
    if (!holds.isEmpty()) {
      return held(
          st,
          service,
          current,
          would
              + Math.min(stepped, max)
              + " ("
              + rec.reason()
              + "), but "
              + String.join(" and ", holds)
              + rec.missingNote(),
          "up: " + String.join(", ", holds),
          Optional.of(until),
          rec);
    }
    List<String> limits = new ArrayList<>();
    int to = stabilized;
    if (to < wanted) {
      limits.add(
          "limited by upStabilization to "
              + to
              + " (the lowest recommendation over "
              + Durations.format(window)
              + ")");
    }
    if (to > current + policy.maxStepUp()) {
      to = current + policy.maxStepUp();
      limits.add("limited by maxStepUp " + policy.maxStepUp());
    }
    if (to > max) {
      to = max;
      limits.add("limited by the max " + max);
    }
    return scaled(st, service, current, to, now, rec.explained(limits), rec.details());
  }

  private ScalingDecision down(
      State st,
      String service,
      ScalingPolicy policy,
      int current,
      int min,
      int wanted,
      Recommendation rec,
      Instant now) {
    if (current <= min) {
      return steady(
          st,
          service,
          current,
          service + " stays at " + current + ", its min: " + rec.explained(List.of()),
          rec);
    }
    int stepped = Math.max(wanted, current - policy.maxStepDown());
    String would = "would scale " + service + " down " + current + "→" + Math.max(stepped, min);
    Duration window = policy.downStabilization();
    int stabilized = wanted;
    for (Recorded r : st.history) {
      if (within(r, window, now)) {
        stabilized = Math.max(stabilized, r.recommendation());
      }
    }
    stabilized = Math.min(current, stabilized);
    List<String> holds = new ArrayList<>();
    Instant until = null;
    if (stabilized >= current) {
      for (Recorded r : st.history) {
        if (within(r, window, now) && r.recommendation() >= current) {
          until = r.at().plus(window);
        }
      }
    }
    // What came before the first evaluation is unknown (a new service, a restarted controller):
    // it counts as a recommendation of the count then, so no scale-down before a full window.
    if (st.firstEvaluated.isAfter(now.minus(window))) {
      stabilized = current;
      Instant end = st.firstEvaluated.plus(window);
      until = until == null || end.isAfter(until) ? end : until;
    }
    if (stabilized >= current) {
      holds.add(hold(holds, "stabilization", until));
    }
    if (st.lastChange != null && now.isBefore(st.lastChange.plus(policy.downCooldown()))) {
      Instant end = st.lastChange.plus(policy.downCooldown());
      holds.add(hold(holds, "the cooldown of " + st.lastChangeKind.text, end));
      until = until == null || end.isAfter(until) ? end : until;
    }
    if (!holds.isEmpty()) {
      return held(
          st,
          service,
          current,
          would + " (" + rec.reason() + "), but " + String.join(" and ", holds) + rec.missingNote(),
          "down: " + String.join(", ", holds),
          Optional.of(until),
          rec);
    }
    List<String> limits = new ArrayList<>();
    int to = stabilized;
    if (to > wanted) {
      limits.add(
          "limited by downStabilization to "
              + to
              + " (the highest recommendation over "
              + Durations.format(window)
              + ")");
    }
    if (to < current - policy.maxStepDown()) {
      to = current - policy.maxStepDown();
      limits.add("limited by maxStepDown " + policy.maxStepDown());
    }
    if (to < min) {
      to = min;
      limits.add("limited by the min " + min);
    }
    return scaled(st, service, current, to, now, rec.explained(limits), rec.details());
  }

  /**
   * An instance of the service reported overload: an immediate scale-up by one, unless a report of
   * the service already counted within {@code overloadCooldown} (reports of several instances, or
   * repeated ones, count once), the service is at its max, or the cooldown of the last scale-up
   * holds. A report that passes the first check counts, whatever the outcome.
   */
  public ScalingDecision overload(
      String service,
      ScalingPolicy policy,
      int current,
      int min,
      int max,
      String instanceId,
      String reason,
      Instant now) {
    State st = states.computeIfAbsent(service, s -> new State());
    String report = "overload reported by " + instanceId + ": " + reason;
    if (!policy.overload()) {
      return ignored(
          service,
          current,
          "overload of " + instanceId + " not used: " + service + " scales with overload: false");
    }
    if (st.lastOverloadCounted != null
        && now.isBefore(st.lastOverloadCounted.plus(policy.overloadCooldown()))) {
      return ignored(
          service,
          current,
          "overload of "
              + instanceId
              + " not counted: a report of "
              + service
              + " counted at "
              + clock.format(st.lastOverloadCounted)
              + ", within the overloadCooldown of "
              + Durations.format(policy.overloadCooldown()));
    }
    st.lastOverloadCounted = now;
    st.lastKnown = current;
    int wanted = Math.max(min, current + 1);
    String would = "would scale " + service + " up " + current + "→" + (current + 1);
    if (current >= max) {
      return overloadHeld(
          st, service, current, would + " (" + report + "), but its max is " + max, "max", null);
    }
    if (st.lastScaleUp != null && now.isBefore(st.lastScaleUp.plus(policy.upCooldown()))) {
      Instant end = st.lastScaleUp.plus(policy.upCooldown());
      String of = st.lastScaleUpByOperator ? "the operator's scale-up" : "the last scale-up";
      return overloadHeld(
          st,
          service,
          current,
          would
              + " ("
              + report
              + "), but the cooldown of "
              + of
              + " holds until "
              + clock.format(end),
          "cooldown " + end,
          end);
    }
    st.history.addLast(new Recorded(now, wanted));
    st.lastOverloadHold = null;
    return scaled(
        st,
        service,
        current,
        wanted,
        now,
        report + " (an overload adds 1 at once)",
        List.of(report));
  }

  /**
   * The operator set the service's count ({@code drover scale}): the engine continues from it, and
   * it counts as a scale change for the cooldowns (as a scale-up when it raised the count).
   */
  public void operatorScaled(String service, int count, Instant now) {
    State st = states.computeIfAbsent(service, s -> new State());
    if (st.lastKnown != null && count > st.lastKnown) {
      st.lastScaleUp = now;
      st.lastScaleUpByOperator = true;
    }
    st.lastChange = now;
    st.lastChangeKind = Change.OPERATOR;
    st.lastKnown = count;
    st.lastHold = null;
  }

  /** Drops what is kept of a service, when it leaves the catalog or stops being autoscaled. */
  public void forget(String service) {
    states.remove(service);
  }

  /** Drops what is kept of every service not in {@code services}. */
  public void retain(Collection<String> services) {
    states.keySet().retainAll(services);
  }

  /** {@code stabilization holds until 12:03:10}, or {@code ... until 12:03:10} after the first. */
  private String hold(List<String> before, String what, Instant until) {
    return what + (before.isEmpty() ? " holds until " : " until ") + clock.format(until);
  }

  private static boolean within(Recorded r, Duration window, Instant now) {
    return !r.at().isBefore(now) || r.at().isAfter(now.minus(window));
  }

  private static void prune(State st, ScalingPolicy policy, Instant now) {
    Duration keep =
        policy.upStabilization().compareTo(policy.downStabilization()) > 0
            ? policy.upStabilization()
            : policy.downStabilization();
    while (!st.history.isEmpty() && !st.history.peekFirst().at().isAfter(now.minus(keep))) {
      st.history.removeFirst();
    }
  }

  private ScalingDecision scaled(
      State st,
      String service,
      int current,
      int to,
      Instant now,
      String why,
      List<String> details) {
    st.lastChange = now;
    st.lastChangeKind = to > current ? Change.UP : Change.DOWN;
    if (to > current) {
      st.lastScaleUp = now;
      st.lastScaleUpByOperator = false;
    }
    st.lastKnown = to;
    st.lastHold = null;
    return new ScalingDecision(
        service,
        Kind.SCALED,
        current,
        to,
        "scaled " + service + " " + current + "→" + to + ": " + why,
        Optional.empty(),
        false,
        details);
  }

  private static ScalingDecision steady(
      State st, String service, int current, String message, Recommendation rec) {
    st.lastHold = null;
    return new ScalingDecision(
        service, Kind.STEADY, current, current, message, Optional.empty(), false, rec.details());
  }

  private static ScalingDecision held(
      State st,
      String service,
      int current,
      String message,
      String holder,
      Optional<Instant> until,
      Recommendation rec) {
    // holder names what holds the change and until when: the same again is a repeat
    boolean repeated = holder.equals(st.lastHold);
    st.lastHold = holder;
    return new ScalingDecision(
        service, Kind.HELD, current, current, message, until, repeated, rec.details());
  }

  private static ScalingDecision overloadHeld(
      State st, String service, int current, String message, String key, Instant until) {
    boolean repeated = key.equals(st.lastOverloadHold);
    st.lastOverloadHold = key;
    return new ScalingDecision(
        service,
        Kind.HELD,
        current,
        current,
        message,
        Optional.ofNullable(until),
        repeated,
        List.of());
  }

  private static ScalingDecision ignored(String service, int current, String message) {
    return new ScalingDecision(
        service, Kind.IGNORED, current, current, message, Optional.empty(), false, List.of());
  }
}
