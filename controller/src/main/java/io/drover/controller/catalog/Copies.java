package io.drover.controller.catalog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable copies that keep the order the operator wrote. {@link Map#copyOf} would do, but its
 * iteration order changes from one JVM run to the next, and catalogs are printed and compared.
 */
final class Copies {
  private Copies() {}

  static <T> List<T> list(List<T> list) {
    return List.copyOf(list);
  }

  static <K, V> Map<K, V> map(Map<K, V> map) {
    Map<K, V> copy = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value")));
    return Collections.unmodifiableMap(copy);
  }
}
