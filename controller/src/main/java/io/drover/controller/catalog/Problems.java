package io.drover.controller.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem of a catalog, so that an operator fixes them all in one round instead of
 * one per attempt. Reported in the order of their positions.
 */
final class Problems {
  /** Enough to fix a broken file; a generated file with thousands of errors needs no more. */
  static final int MAX_REPORTED = 100;

  private record Problem(Position at, String text) {}

  private static final Comparator<Problem> BY_POSITION =
      Comparator.comparing((Problem p) -> p.at().source())
          .thenComparingInt(p -> p.at().line())
          .thenComparingInt(p -> p.at().column());

  private final List<Problem> problems = new ArrayList<>();

  /** A problem with a value: {@code SOURCE:LINE:COLUMN: FIELD: PROBLEM}. */
  void add(Position at, String field, String problem) {
    problems.add(new Problem(at, at + ": " + field + ": " + problem));
  }

  /** A problem that belongs to no field, such as a YAML syntax error. */
  void add(Position at, String problem) {
    problems.add(new Problem(at, at + ": " + problem));
  }

  int size() {
    return problems.size();
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  void throwIfAny() {
    if (isEmpty()) {
      return;
    }
    List<String> sorted =
        new ArrayList<>(problems.stream().sorted(BY_POSITION).map(Problem::text).toList());
    if (sorted.size() > MAX_REPORTED) {
      int more = sorted.size() - MAX_REPORTED;
      sorted = new ArrayList<>(sorted.subList(0, MAX_REPORTED));
      sorted.add("... and " + more + " more problems");
    }
    throw new CatalogException(sorted);
  }
}
