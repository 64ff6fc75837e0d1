package io.drover.sdk;

import java.util.List;
import java.util.function.Consumer;

/**
 * A live view of the READY endpoints of one service, kept up to date by a watch on the controller.
 * An instance leaves this view before it stops (its grace period runs in between) and joins it only
 * once its health check passed. While the controller cannot be reached the last set stays in force.
 * Thread-safe; nothing here blocks.
 */
public interface Endpoints extends AutoCloseable {

  /** The service this view follows. */
  String service();

  /** The READY endpoints as last heard, in instance order; empty until the first set arrives. */
  List<Endpoint> current();

  /** Whether a set has arrived from the controller yet. */
  boolean known();

  /**
   * Calls {@code listener} with every new set, and at once with the current one if it is known. It
   * is called on the watch's thread, one set at a time: hand the set off rather than block.
   *
   * @return stops the calls
   */
  Runnable onChange(Consumer<List<Endpoint>> listener);

  /** Stops following the service. */
  @Override
  void close();
}
