package io.drover.controller.catalog;

/**
 * Where a value was written: a source (a file name, a database row) and, when known, a 1-based line
 * and column. Prints as {@code source:line:column}, the form editors and terminals jump to.
 */
record Position(String source, int line, int column) {

  /** The source as a whole, for problems that have no place in it (too large, unreadable). */
  static Position wholeSource(String source) {
    return new Position(source, 0, 0);
  }

  @Override
  public String toString() {
    return line > 0 ? source + ":" + line + ":" + column : source;
  }
}
