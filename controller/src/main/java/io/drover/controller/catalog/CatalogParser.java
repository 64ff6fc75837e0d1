package io.drover.controller.catalog;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a catalog from YAML text and checks every rule of docs/CATALOG.md. Either returns a catalog
 * that is valid in full, or throws a {@link CatalogException} holding every problem, each as {@code
 * SOURCE:LINE:COLUMN: FIELD: PROBLEM}.
 */
public final class CatalogParser {
  private CatalogParser() {}

  /**
   * @param sourceName how problems name the text: a file name, "request", ...
   */
  public static Catalog parse(String sourceName, String yaml) {
    return parseDocument(sourceName, yaml).catalog();
  }

  /** A valid catalog with the tree it was read from; the database stores the tree's parts. */
  record Parsed(Catalog catalog, YamlNode.Mapping tree) {}

  static Parsed parseDocument(String sourceName, String yaml) {
    checkSize(sourceName, yaml);
    Problems problems = new Problems();
    Optional<YamlNode> root = YamlTreeParser.parse(sourceName, yaml, problems);
    Catalog catalog = CatalogReader.read(new Position(sourceName, 1, 1), root, problems);
    return new Parsed(catalog, (YamlNode.Mapping) root.orElseThrow());
  }

  static void checkSize(String sourceName, String text) {
    // A char is at least one byte in UTF-8: only count bytes when the length leaves a doubt.
    long bytes =
        text.length() > CatalogRules.MAX_SOURCE_BYTES
            ? text.length()
            : text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > CatalogRules.MAX_SOURCE_BYTES) {
      throw new CatalogException(
          sourceName
              + ": "
              + (text.length() > CatalogRules.MAX_SOURCE_BYTES ? "more than " : "")
              + bytes
              + " bytes; a catalog holds at most 1 MiB ("
              + CatalogRules.MAX_SOURCE_BYTES
              + " bytes)");
    }
  }
}
