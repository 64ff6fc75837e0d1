package io.drover.controller.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The message for a key the format does not have: most are typos, so suggest the nearest. */
final class UnknownKeys {
  private UnknownKeys() {}

  static String problem(String key, List<String> known) {
    String suggestion = nearest(key, known).map(k -> " (did you mean " + k + "?)").orElse("");
    String list = known.isEmpty() ? "none" : String.join(", ", known);
    return "unknown key" + suggestion + "; the known keys are " + list;
  }

  private static Optional<String> nearest(String key, List<String> known) {
    return known.stream()
        .filter(k -> distance(key.toLowerCase(), k.toLowerCase()) <= Math.max(1, k.length() / 3))
        .min(Comparator.comparingInt(k -> distance(key.toLowerCase(), k.toLowerCase())));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
