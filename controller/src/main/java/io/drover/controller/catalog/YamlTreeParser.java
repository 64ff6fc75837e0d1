package io.drover.controller.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * YAML text to a {@link YamlNode} tree, walking Jackson's streaming parser (as {@code
 * YamlSettingsFile} does) so that every node keeps its line and column. Reports, rather than
 * accepts silently: syntax errors, keys written twice, aliases (Jackson returns the alias name
 * instead of the value it stands for) and a second document.
 */
final class YamlTreeParser {
  /** A catalog nests five levels; deeper input is a mistake or an attack on the stack. */
  static final int MAX_DEPTH = 32;

  private static final YAMLFactory YAML = new YAMLFactory();

  private final String source;
  private final Problems problems;

  private YamlTreeParser(String source, Problems problems) {
    this.source = source;
    this.problems = problems;
  }

  /**
   * Parses one YAML document. Empty when the text holds no document, or when it is not valid YAML
   * (then the syntax error is in {@code problems}, with its line and column).
   */
  static Optional<YamlNode> parse(String source, String text, Problems problems) {
    return new YamlTreeParser(source, problems).parse(text);
  }

  private Optional<YamlNode> parse(String text) {
    try (JsonParser parser = YAML.createParser(text)) {
      if (parser.nextToken() == null) {
        return Optional.empty();
      }
      YamlNode root = read(parser, 0);
      if (parser.nextToken() != null) {
        problems.add(
            position(parser.currentTokenLocation()),
            "a catalog is one YAML document; remove the second one (after ---)");
      }
      return Optional.of(root);
    } catch (JsonProcessingException e) {
      syntaxError(e);
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
  }

  private YamlNode read(JsonParser parser, int depth) throws IOException {
    Position at = position(parser.currentTokenLocation());
    JsonToken token = parser.currentToken();
    if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && depth >= MAX_DEPTH) {
      problems.add(at, "nested more than " + MAX_DEPTH + " levels deep");
      parser.skipChildren();
      return new YamlNode.Scalar(at, "", YamlNode.Scalar.Kind.NULL);
    }
    return switch (token) {
      case START_OBJECT -> readMapping(parser, at, depth);
      case START_ARRAY -> readSequence(parser, at, depth);
      default -> readScalar(parser, at, token);
    };
  }

  private YamlNode readMapping(JsonParser parser, Position at, int depth) throws IOException {
    List<YamlNode.Entry> entries = new ArrayList<>();
    Map<String, Position> seen = new HashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      Position keyAt = position(parser.currentTokenLocation());
      parser.nextToken();
      YamlNode value = read(parser, depth + 1);
      Position first = seen.putIfAbsent(key, keyAt);
      if (first != null) {
        problems.add(keyAt, "key '" + key + "' is written twice (first at " + first + ")");
      } else {
        entries.add(new YamlNode.Entry(key, keyAt, value));
      }
    }
    return new YamlNode.Mapping(at, entries);
  }

  private YamlNode readSequence(JsonParser parser, Position at, int depth) throws IOException {
    List<YamlNode> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(read(parser, depth + 1));
    }
    return new YamlNode.Sequence(at, items);
  }

  private YamlNode readScalar(JsonParser parser, Position at, JsonToken token) throws IOException {
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      problems.add(
          at, "aliases (*" + parser.getText() + ") are not supported; write the value out");
    }
    YamlNode.Scalar.Kind kind =
        switch (token) {
          case VALUE_STRING -> YamlNode.Scalar.Kind.STRING;
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> YamlNode.Scalar.Kind.NUMBER;
          case VALUE_TRUE -> YamlNode.Scalar.Kind.TRUE;
          case VALUE_FALSE -> YamlNode.Scalar.Kind.FALSE;
          case VALUE_NULL -> YamlNode.Scalar.Kind.NULL;
          default -> throw new IllegalStateException("unexpected YAML token " + token);
        };
    String text = kind == YamlNode.Scalar.Kind.NULL ? "" : parser.getText();
    return new YamlNode.Scalar(at, text, kind);
  }

  /**
   * SnakeYAML knows where the problem is; Jackson's location is that of the last token it read,
   * which for a tab at the start of a line is the end of the line before.
   */
  private void syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      Mark mark = marked.getProblemMark();
      String problem =
          marked.getContext() == null
              ? marked.getProblem()
              : marked.getContext() + "; " + marked.getProblem();
      problems.add(
          new Position(source, mark.getLine() + 1, mark.getColumn() + 1),
          "not valid YAML: " + problem);
      return;
    }
    problems.add(
        position(e.getLocation()), "not valid YAML: " + syntaxProblem(e.getOriginalMessage()));
  }

  private Position position(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return Position.wholeSource(source);
    }
    return new Position(source, location.getLineNr(), location.getColumnNr());
  }

  /**
   * SnakeYAML's message repeats the position and quotes the line with a caret under it, over
   * several lines; the position is already in front of ours, so keep only what went wrong.
   */
  static String syntaxProblem(String message) {
    if (message == null) {
      return "syntax error";
    }
    String kept =
        message
            .lines()
            .filter(line -> !line.isBlank())
            .filter(line -> !line.startsWith(" in ") && !line.startsWith("    "))
            .map(String::strip)
            .collect(Collectors.joining("; "));
    return kept.isEmpty() ? message.strip() : kept;
  }
}
