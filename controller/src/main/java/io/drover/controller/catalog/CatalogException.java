package io.drover.controller.catalog;

import io.drover.common.errors.InvalidArgumentException;
import java.util.List;

/**
 * A catalog that cannot be used. Holds every problem found, not just the first, each as {@code
 * SOURCE:LINE:COLUMN: FIELD: PROBLEM} (problems of the whole file have no line, column or field).
 */
public class CatalogException extends InvalidArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public CatalogException(List<String> problems) {
    super("catalog", String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a CatalogException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public CatalogException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }

  /** The problems, one a line, without the {@code catalog: } prefix of the field. */
  @Override
  public String getMessage() {
    return String.join("\n", problems);
  }
}
