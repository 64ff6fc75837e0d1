package io.drover.controller.catalog;

import java.util.List;

/**
 * A YAML value with the position it was written at. The catalog is read in two steps: YAML text to
 * this tree (syntax), then the tree to a {@link Catalog} (meaning); positions survive the first so
 * that the second can point at any value. The tree also lets database rows, each its own small
 * document, be joined into one catalog without losing which row a value came from.
 */
sealed interface YamlNode {
  Position position();

  /** How the node is named in a problem: "a list", "a mapping", "'abc'". */
  String describe();

  record Mapping(Position position, List<Entry> entries) implements YamlNode {
    public Mapping {
      entries = List.copyOf(entries);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  record Entry(String key, Position keyPosition, YamlNode value) {}

  record Sequence(Position position, List<YamlNode> items) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A scalar as written; {@code kind} keeps what YAML made of it so it can be written back. */
  record Scalar(Position position, String text, Kind kind) implements YamlNode {
    enum Kind {
      STRING,
      NUMBER,
      TRUE,
      FALSE,
      NULL
    }

    boolean isNull() {
      return kind == Kind.NULL;
    }

    @Override
    public String describe() {
      return isNull() ? "nothing" : "'" + text + "'";
    }
  }
}
