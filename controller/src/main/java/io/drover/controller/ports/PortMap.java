package io.drover.controller.ports;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Unmodifiable port maps (port name to port) that keep the order of the assignment, small enough to
 * be held by every instance and shared with its endpoint and views: {@link #copyOf} returns a map
 * that already is one as it is, instead of copying it again. A {@code LinkedHashMap} copy of one
 * port weighed about 170 bytes, and each instance held two (its own and its endpoint's); one port
 * is now a {@code Map.of} entry (32 bytes), more are two arrays.
 */
public final class PortMap {
  private static final Class<?> ONE = Map.of("", 0).getClass();

  private PortMap() {}

  /** An unmodifiable copy of {@code ports} in their order; {@code ports} itself if it is one. */
  public static Map<String, Integer> copyOf(Map<String, Integer> ports) {
    if (ports instanceof Ordered || ports.getClass() == ONE || ports == Map.<String, Integer>of()) {
      return ports;
    }
    int n = ports.size();
    if (n == 0) {
      return Map.of();
    }
    if (n == 1) {
      Map.Entry<String, Integer> only = ports.entrySet().iterator().next();
      return Map.of(only.getKey(), only.getValue());
    }
    String[] names = new String[n];
    Integer[] numbers = new Integer[n];
    int i = 0;
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      if (i == n) {
        throw new java.util.ConcurrentModificationException();
      }
      names[i] = java.util.Objects.requireNonNull(e.getKey());
      numbers[i] = java.util.Objects.requireNonNull(e.getValue());
      for (int j = 0; j < i; j++) {
        if (names[j].equals(names[i])) {
          throw new IllegalArgumentException("duplicate port name " + names[i]);
        }
      }
      i++;
    }
    return new Ordered(names, numbers);
  }

  /** Two or more ports, in order. */
  private static final class Ordered extends AbstractMap<String, Integer> {
    private final String[] names;
    private final Integer[] numbers;

    Ordered(String[] names, Integer[] numbers) {
      this.names = names;
      this.numbers = numbers;
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public boolean containsKey(Object key) {
      return indexOf(key) >= 0;
    }

    @Override
    public Integer get(Object key) {
      int i = indexOf(key);
      return i < 0 ? null : numbers[i];
    }

    private int indexOf(Object key) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(key)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public Set<Map.Entry<String, Integer>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return names.length;
        }

        @Override
        public Iterator<Map.Entry<String, Integer>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < names.length;
            }

            @Override
            public Map.Entry<String, Integer> next() {
              if (next >= names.length) {
                throw new NoSuchElementException();
              }
              Map.Entry<String, Integer> e = Map.entry(names[next], numbers[next]);
              next++;
              return e;
            }
          };
        }
      };
    }
  }
}
