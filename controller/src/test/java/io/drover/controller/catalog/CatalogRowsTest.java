package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The row form without a database; {@link PostgresCatalogSourceTest} has the real one. */
class CatalogRowsTest {
  private static final String CATALOG =
      """
      profiles:
        small: {heapMb: 64, flags: [-XX:+UseSerialGC]}
        plain:
      services:
        - name: hello
          artifact: {path: hello.jar}
          entry: x.Hello
          profile: small
          replicas: {min: 1, max: 4}
          env: {PORT: "8080", DEBUG: "true", EMPTY: "", NOTHING: "null"}
          args: ["--name", "1.0"]
        - name: other
          artifact: {path: other.jar}
          entry: x.Other
      """;

  @Test
  void splitsACatalogIntoRowsAndJoinsThemBackUnchanged() {
    CatalogParser.Parsed parsed = CatalogParser.parseDocument("c.yaml", CATALOG);

    CatalogRows.Rows rows = CatalogRows.toRows(parsed.tree());

    assertThat(rows.profiles())
        .containsExactly(
            new CatalogRows.Row("small", "heapMb: 64\nflags:\n  - -XX:+UseSerialGC\n"),
            new CatalogRows.Row("plain", ""));
    assertThat(rows.services()).extracting(CatalogRows.Row::name).containsExactly("hello", "other");
    assertThat(rows.services().get(0).spec())
        .startsWith("artifact:\n  path: hello.jar\nentry: x.Hello\n")
        .doesNotContain("name: hello");
    assertThat(CatalogRows.toCatalog(rows)).isEqualTo(parsed.catalog());
  }

  @Test
  void problemsNameTheRowAndTheLineWithinIt() {
    CatalogRows.Rows rows =
        new CatalogRows.Rows(
            List.of(new CatalogRows.Row("small", "heapMb: [64]")),
            List.of(
                new CatalogRows.Row(
                    "hello", "artifact: {path: a.jar}\nentry: x.A\nreplicas: {min: 5, max: 2}\n"),
                new CatalogRows.Row("Bad", "artifact: {path: a.jar}\nentry: x.A\n"),
                new CatalogRows.Row("named", "name: other\nartifact: {path: a.jar}\nentry: x.A\n"),
                new CatalogRows.Row("broken", "entry: [x\n")));

    assertThatThrownBy(() -> CatalogRows.toCatalog(rows))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "drover_catalog_profile[small].spec:1:9: profiles.small.heapMb: expected a"
                            + " single value, found a list",
                        "drover_catalog_service[Bad].name: services[1].name: 'Bad' is not a valid"
                            + " name: "
                            + CatalogRules.NAME_RULE,
                        "drover_catalog_service[broken].spec:2:1: not valid YAML: while parsing a"
                            + " flow sequence; expected ',' or ']', but got <stream end>",
                        "drover_catalog_service[hello].spec:3:25: services[hello].replicas.max: must"
                            + " be at least min (5), not 2",
                        "drover_catalog_service[named].spec:1:1: services[named].name: the name is"
                            + " the row's name column; remove it from spec"));
  }
}
