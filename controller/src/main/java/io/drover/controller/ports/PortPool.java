package io.drover.controller.ports;

import io.drover.common.errors.ResourceExhaustedException;
import io.drover.common.net.PortRange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The instance ports of one node. A port is free, allocated to one instance, or resting: after
 * release it rests for {@code quarantine} (so that a late packet or a slow client of the old
 * instance never reaches a new one), and a port the agent's bind test found taken by a foreign
 * process rests for {@code foreignHold}. Allocation moves round the range, so a freed port is the
 * last to be used again.
 *
 * <p>Not thread-safe: the controller's state loop owns every pool.
 */
public final class PortPool {
  private final String node;
  private final PortRange range;
  private final Duration quarantine;
  private final Duration foreignHold;
  private final BitSet allocated = new BitSet();
  private final Map<Integer, Instant> restingUntil = new HashMap<>();
  private int cursor;

  public PortPool(String node, PortRange range, Duration quarantine, Duration foreignHold) {
    this.node = node;
    this.range = range;
    this.quarantine = quarantine;
    this.foreignHold = foreignHold;
  }

  public PortRange range() {
    return range;
  }

  /**
   * Takes {@code count} ports, none allocated or resting.
   *
   * @throws ResourceExhaustedException naming the node and the range when too few are free; nothing
   *     is taken then
   */
  public List<Integer> allocate(int count, Instant now) {
    List<Integer> taken = new ArrayList<>(count);
    int size = range.size();
    for (int step = 0; step < size && taken.size() < count; step++) {
      int offset = (cursor + step) % size;
      if (!allocated.get(offset) && !resting(offset, now)) {
        taken.add(offset);
      }
    }
    if (taken.size() < count) {
      throw new ResourceExhaustedException(
          "node "
              + node
              + ": no "
              + count
              + " free port"
              + (count == 1 ? "" : "s")
              + " in "
              + range
              + " ("
              + allocated.cardinality()
              + " allocated, "
              + restingCount(now)
              + " resting)");
    }
    List<Integer> ports = new ArrayList<>(count);
    for (int offset : taken) {
      allocated.set(offset);
      ports.add(range.low() + offset);
    }
    cursor = (taken.get(taken.size() - 1) + 1) % size;
    return ports;
  }

  /**
   * Marks a port allocated without choosing it: for instances that already run, as their agents
   * report them after a controller restart.
   *
   * @return false if the port is outside the range or already allocated
   */
  public boolean claim(int port) {
    if (!range.contains(port) || allocated.get(port - range.low())) {
      return false;
    }
    allocated.set(port - range.low());
    restingUntil.remove(port - range.low());
    return true;
  }

  /** Gives a port back; it rests for the quarantine before anyone gets it again. */
  public void release(int port, Instant now) {
    rest(port, now.plus(quarantine));
  }

  /** The bind test found the port taken by something else: avoid it for a while. */
  public void markForeign(int port, Instant now) {
    rest(port, now.plus(foreignHold));
  }

  private void rest(int port, Instant until) {
    if (!range.contains(port)) {
      throw new IllegalArgumentException("port " + port + " is outside " + range);
    }
    int offset = port - range.low();
    allocated.clear(offset);
    restingUntil.merge(offset, until, (a, b) -> a.isAfter(b) ? a : b);
  }

  public boolean isAllocated(int port) {
    return range.contains(port) && allocated.get(port - range.low());
  }

  public int allocatedCount() {
    return allocated.cardinality();
  }

  /** Ports that could be allocated now. */
  public int freeCount(Instant now) {
    return range.size() - allocated.cardinality() - restingCount(now);
  }

  private int restingCount(Instant now) {
    restingUntil.values().removeIf(until -> !until.isAfter(now));
    return restingUntil.size();
  }

  private boolean resting(int offset, Instant now) {
    Instant until = restingUntil.get(offset);
    if (until == null) {
      return false;
    }
    if (!until.isAfter(now)) {
      restingUntil.remove(offset);
      return false;
    }
    return true;
  }
}
