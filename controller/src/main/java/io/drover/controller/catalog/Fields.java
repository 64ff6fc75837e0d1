package io.drover.controller.catalog;

import io.drover.common.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Typed reads of one YAML mapping against the keys the format allows there. Each read reports its
 * own problem (at the value's position, under the field's path) and returns empty when the value is
 * unusable, or the default when the key is absent or has no value ({@code key:} alone). Unknown
 * keys are reported as soon as the mapping is opened.
 */
final class Fields {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,12}");
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  private final YamlNode.Mapping mapping;
  private final String path;
  private final Problems problems;
  private final Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();

  private Fields(YamlNode.Mapping mapping, String path, Problems problems, List<String> known) {
    this.mapping = mapping;
    this.path = path;
    this.problems = problems;
    for (YamlNode.Entry entry : mapping.entries()) {
      if (known.contains(entry.key())) {
        entries.put(entry.key(), entry);
      } else {
        problems.add(
            entry.keyPosition(), join(path, entry.key()), UnknownKeys.problem(entry.key(), known));
      }
    }
  }

  /** Opens {@code node} as a mapping, or reports that it is not one. */
  static Optional<Fields> of(YamlNode node, String path, Problems problems, List<String> known) {
    if (node instanceof YamlNode.Mapping m) {
      return Optional.of(new Fields(m, path, problems, known));
    }
    if (node instanceof YamlNode.Scalar s && s.isNull()) {
      return Optional.of(
          new Fields(new YamlNode.Mapping(s.position(), List.of()), path, problems, known));
    }
    problems.add(
        node.position(), path, "expected a mapping (key: value), found " + node.describe());
    return Optional.empty();
  }

  String path() {
    return path;
  }

  String path(String key) {
    return join(path, key);
  }

  Position position() {
    return mapping.position();
  }

  /** The key is written with a value. */
  boolean has(String key) {
    YamlNode.Entry entry = entries.get(key);
    return entry != null && !(entry.value() instanceof YamlNode.Scalar s && s.isNull());
  }

  /** Where to point for this key: its value, else the key, else the mapping it belongs in. */
  Position at(String key) {
    YamlNode.Entry entry = entries.get(key);
    if (entry == null) {
      return mapping.position();
    }
    return has(key) ? entry.value().position() : entry.keyPosition();
  }

  void problem(String key, String problem) {
    problems.add(at(key), path(key), problem);
  }

  /** A problem with one item of the list under {@code key}. */
  void itemProblem(String key, int index, String problem) {
    Position itemAt = at(key);
    if (node(key).orElse(null) instanceof YamlNode.Sequence s && index < s.items().size()) {
      itemAt = s.items().get(index).position();
    }
    problems.add(itemAt, path(key) + "[" + index + "]", problem);
  }

  Optional<YamlNode> node(String key) {
    return has(key) ? Optional.of(entries.get(key).value()) : Optional.empty();
  }

  /** A required scalar, as text. */
  Optional<String> required(String key) {
    if (!has(key)) {
      problem(key, "missing");
      return Optional.empty();
    }
    return text(entries.get(key).value(), path(key));
  }

  Optional<String> text(String key, String byDefault) {
    return has(key) ? text(entries.get(key).value(), path(key)) : Optional.of(byDefault);
  }

  /** An optional scalar: the outer Optional is empty when invalid, the inner when absent. */
  Optional<Optional<String>> optionalText(String key) {
    return has(key)
        ? text(entries.get(key).value(), path(key)).map(Optional::of)
        : Optional.of(Optional.empty());
  }

  Optional<Integer> integer(String key, int byDefault, int min, int max) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    Optional<String> text = text(entries.get(key).value(), path(key));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (!WHOLE_NUMBER.matcher(text.get()).matches()) {
      problem(key, "expected a whole number, found '" + text.get() + "'");
      return Optional.empty();
    }
    long value = Long.parseLong(text.get());
    if (value < min || value > max) {
      problem(key, "must be between " + min + " and " + max + ", not " + value);
      return Optional.empty();
    }
    return Optional.of((int) value);
  }

  /** A positive duration such as 500ms, 5s or 2m, at most a day. */
  Optional<Duration> duration(String key, Duration byDefault) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    Optional<String> text = text(entries.get(key).value(), path(key));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Duration value;
    try {
      value = Durations.parse(text.get());
    } catch (RuntimeException e) {
      problem(key, "'" + text.get() + "' is not a duration such as 500ms, 5s or 2m");
      return Optional.empty();
    }
    if (value.isZero() || value.isNegative()) {
      problem(key, "must be positive, not " + text.get());
      return Optional.empty();
    }
    if (value.compareTo(CatalogRules.MAX_DURATION) > 0) {
      problem(
          key,
          "must be at most " + Durations.format(CatalogRules.MAX_DURATION) + ", not " + text.get());
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /**
   * A duration such as 0s, 500ms or 2m between {@code min} and {@code max}, both included; zero is
   * allowed when {@code min} is zero.
   */
  Optional<Duration> duration(String key, Duration byDefault, Duration min, Duration max) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    Optional<String> text = text(entries.get(key).value(), path(key));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Duration value;
    try {
      value = Durations.parse(text.get());
    } catch (RuntimeException e) {
      problem(key, "'" + text.get() + "' is not a duration such as 500ms, 5s or 2m");
      return Optional.empty();
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      problem(
          key,
          "must be between "
              + Durations.format(min)
              + " and "
              + Durations.format(max)
              + ", not "
              + text.get());
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** {@code true} or {@code false}. */
  Optional<Boolean> bool(String key, boolean byDefault) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    YamlNode node = entries.get(key).value();
    if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.TRUE) {
      return Optional.of(true);
    }
    if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.FALSE) {
      return Optional.of(false);
    }
    problem(key, "expected true or false, found " + node.describe());
    return Optional.empty();
  }

  /** A finite decimal number such as 70, 0.25 or 1e3; empty (reported) when absent. */
  Optional<Double> number(String key) {
    if (!has(key)) {
      problem(key, "missing");
      return Optional.empty();
    }
    Optional<String> text = text(entries.get(key).value(), path(key));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (!DECIMAL.matcher(text.get()).matches()) {
      problem(key, "expected a number such as 70 or 0.25, found '" + text.get() + "'");
      return Optional.empty();
    }
    double value = Double.parseDouble(text.get());
    if (!Double.isFinite(value)) {
      problem(key, "'" + text.get() + "' is too large");
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /**
   * The list of mappings under {@code key}, each opened against {@code known} and named {@code
   * key[i]}; an empty list when the key is absent. Items that are not mappings are reported and
   * left out, so callers compare the count of problems to tell whether all were usable.
   */
  Optional<List<Fields>> mappings(String key, List<String> known, int maxItems) {
    if (!has(key)) {
      return Optional.of(List.of());
    }
    YamlNode node = entries.get(key).value();
    if (!(node instanceof YamlNode.Sequence sequence)) {
      problem(key, "expected a list, found " + node.describe());
      return Optional.empty();
    }
    if (sequence.items().size() > maxItems) {
      problem(key, "at most " + maxItems + " items, not " + sequence.items().size());
      return Optional.empty();
    }
    List<Fields> items = new ArrayList<>();
    for (int i = 0; i < sequence.items().size(); i++) {
      of(sequence.items().get(i), path(key) + "[" + i + "]", problems, known).ifPresent(items::add);
    }
    return Optional.of(items);
  }

  /** The value under {@code key} as written, for messages; empty when it is not a scalar. */
  String textOf(String key) {
    return node(key).orElse(null) instanceof YamlNode.Scalar s ? s.text() : "";
  }

  /** A problem with this mapping as a whole, such as a key it lacks. */
  void problemHere(String problem) {
    problems.add(mapping.position(), path, problem);
  }

  /** One of an enum's constants, written in any case. */
  <E extends Enum<E>> Optional<E> choice(String key, Class<E> type, E byDefault) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    Optional<String> text = text(entries.get(key).value(), path(key));
    if (text.isEmpty()) {
      return Optional.empty();
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(text.get())) {
        return Optional.of(constant);
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      allowed.add(constant.name().toLowerCase(Locale.ROOT));
    }
    problem(key, "must be one of " + String.join(", ", allowed) + ", not '" + text.get() + "'");
    return Optional.empty();
  }

  /** A list of scalars, each as text. */
  Optional<List<String>> texts(String key, List<String> byDefault, int maxItems) {
    if (!has(key)) {
      return Optional.of(byDefault);
    }
    YamlNode node = entries.get(key).value();
    if (!(node instanceof YamlNode.Sequence sequence)) {
      problem(key, "expected a list, found " + node.describe());
      return Optional.empty();
    }
    if (sequence.items().size() > maxItems) {
      problem(key, "at most " + maxItems + " items, not " + sequence.items().size());
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    boolean valid = true;
    for (int i = 0; i < sequence.items().size(); i++) {
      Optional<String> item = text(sequence.items().get(i), path(key) + "[" + i + "]");
      valid &= item.isPresent();
      item.ifPresent(values::add);
    }
    return valid ? Optional.of(values) : Optional.empty();
  }

  /** A mapping of names to scalars, each as text; names must match {@code names}. */
  Optional<Map<String, String>> textMap(String key, Pattern names, String nameRule) {
    if (!has(key)) {
      return Optional.of(Map.of());
    }
    YamlNode node = entries.get(key).value();
    if (!(node instanceof YamlNode.Mapping map)) {
      problem(key, "expected a mapping (name: value), found " + node.describe());
      return Optional.empty();
    }
    if (map.entries().size() > CatalogRules.MAX_ENTRIES) {
      problem(key, "at most " + CatalogRules.MAX_ENTRIES + " entries, not " + map.entries().size());
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>();
    boolean valid = true;
    for (YamlNode.Entry entry : map.entries()) {
      String field = path(key) + "." + entry.key();
      if (entry.key().length() > CatalogRules.MAX_TEXT_LENGTH
          || !names.matcher(entry.key()).matches()) {
        problems.add(entry.keyPosition(), field, "not a valid name: " + nameRule);
        valid = false;
        continue;
      }
      if (entry.value() instanceof YamlNode.Scalar s && s.isNull()) {
        problems.add(entry.keyPosition(), field, "has no value; write \"\" for an empty one");
        valid = false;
        continue;
      }
      Optional<String> value = text(entry.value(), field);
      valid &= value.isPresent();
      value.ifPresent(v -> values.put(entry.key(), v));
    }
    return valid ? Optional.of(values) : Optional.empty();
  }

  /**
   * The nested mapping under {@code key}; when the key is absent, an empty mapping placed where it
   * belongs, so that its defaults apply and its problems point somewhere sensible.
   */
  Optional<Fields> mapping(String key, List<String> known) {
    if (!has(key)) {
      return Optional.of(
          new Fields(new YamlNode.Mapping(at(key), List.of()), path(key), problems, known));
    }
    return of(entries.get(key).value(), path(key), problems, known);
  }

  /** A scalar's text, at most {@link CatalogRules#MAX_TEXT_LENGTH} characters. */
  Optional<String> text(YamlNode node, String field) {
    if (!(node instanceof YamlNode.Scalar scalar)) {
      problems.add(node.position(), field, "expected a single value, found " + node.describe());
      return Optional.empty();
    }
    if (scalar.isNull()) {
      problems.add(node.position(), field, "has no value");
      return Optional.empty();
    }
    if (scalar.text().length() > CatalogRules.MAX_TEXT_LENGTH) {
      problems.add(
          node.position(),
          field,
          "at most " + CatalogRules.MAX_TEXT_LENGTH + " characters, not " + scalar.text().length());
      return Optional.empty();
    }
    return Optional.of(scalar.text());
  }

  /** Checks a name against {@link CatalogRules#NAME}. */
  boolean isName(String key, String value) {
    if (CatalogRules.NAME.matcher(value).matches()) {
      return true;
    }
    problem(key, "'" + value + "' is not a valid name: " + CatalogRules.NAME_RULE);
    return false;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
