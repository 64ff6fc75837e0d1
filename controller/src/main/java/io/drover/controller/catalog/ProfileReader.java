package io.drover.controller.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code profiles} section: a mapping of profile names to JVM settings. */
final class ProfileReader {
  static final List<String> KEYS = List.of("java", "heapMb", "flags");
  static final int DEFAULT_HEAP_MB = 128;

  private final Problems problems;

  ProfileReader(Problems problems) {
    this.problems = problems;
  }

  /** The profiles that are valid, by name; problems with the others are reported. */
  Map<String, JvmProfileSpec> readAll(YamlNode.Mapping profiles) {
    Map<String, JvmProfileSpec> valid = new LinkedHashMap<>();
    for (YamlNode.Entry entry : profiles.entries()) {
      String path = "profiles." + entry.key();
      if (!CatalogRules.NAME.matcher(entry.key()).matches()) {
        problems.add(
            entry.keyPosition(),
            path,
            "'" + entry.key() + "' is not a valid name: " + CatalogRules.NAME_RULE);
        continue;
      }
      read(entry.key(), entry.value(), path).ifPresent(p -> valid.put(p.name(), p));
    }
    return valid;
  }

  Optional<JvmProfileSpec> read(String name, YamlNode node, String path) {
    int before = problems.size();
    Optional<Fields> opened = Fields.of(node, path, problems, KEYS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<Optional<String>> java = f.optionalText("java");
    java.flatMap(j -> j)
        .filter(String::isBlank)
        .ifPresent(
            j -> f.problem("java", "must not be blank; leave it out to use the agent's java"));
    Optional<Integer> heapMb =
        f.integer(
            "heapMb", DEFAULT_HEAP_MB, CatalogRules.MIN_MEMORY_MB, CatalogRules.MAX_MEMORY_MB);
    Optional<List<String>> flags = f.texts("flags", List.of(), CatalogRules.MAX_ENTRIES);
    flags.ifPresent(list -> checkFlags(f, list));
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new JvmProfileSpec(name, java.get(), heapMb.get(), flags.get()));
  }

  private static void checkFlags(Fields f, List<String> flags) {
    for (int i = 0; i < flags.size(); i++) {
      String flag = flags.get(i);
      if (!flag.startsWith("-")) {
        f.itemProblem("flags", i, "'" + flag + "' is not a JVM flag: flags start with '-'");
      } else if (flag.startsWith("-Xmx")) {
        f.itemProblem("flags", i, "set the heap with heapMb, not " + flag);
      }
    }
  }
}
