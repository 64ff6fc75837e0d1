package io.drover.controller.catalog;

/**
 * How many instances of a service run across the fleet: scaling stays within {@code min..max} and
 * starts at {@code initial}.
 */
public record Replicas(int min, int max, int initial) {
  public Replicas {
    if (min < 0 || min > initial || initial > max) {
      throw new IllegalArgumentException(
          "replicas need 0 <= min <= initial <= max, not " + min + ", " + initial + ", " + max);
    }
  }
}
