package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.config.ConfigException;
import io.drover.common.errors.UnavailableException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogSourcesTest {
  @TempDir Path dir;

  @Test
  void opensAFileSource() {
    Path file = dir.resolve("catalog.yaml");
    try (CatalogSource source = CatalogSources.create(CatalogConfig.file(file))) {
      assertThat(source).isInstanceOf(YamlFileCatalogSource.class);
      assertThat(source.describe()).isEqualTo("file " + file);
    }
  }

  @Test
  void namesTheKeyOfEachMissingOrWrongValue() {
    assertThatThrownBy(() -> CatalogSources.create(new CatalogConfig(null, null, null, null, null)))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly("catalog.source: missing; file or postgres"));
    assertThatThrownBy(
            () -> CatalogSources.create(new CatalogConfig("mysql", null, null, null, null)))
        .hasMessage("catalog.source: must be file or postgres, not 'mysql'");
    assertThatThrownBy(
            () -> CatalogSources.create(new CatalogConfig("file", null, null, null, null)))
        .hasMessage("catalog.file: missing; the path of the catalog's YAML file");
    assertThatThrownBy(() -> CatalogSources.create(CatalogConfig.postgres(" ", "u", "p")))
        .hasMessage(
            "catalog.postgres.url: missing; a JDBC URL such as"
                + " jdbc:postgresql://db.example:5432/drover");
    assertThatThrownBy(
            () ->
                CatalogSources.create(
                    CatalogConfig.postgres("jdbc:mysql://db/x?password=s3cret", "u", "p")))
        .hasMessage(
            "catalog.postgres.url: must start with jdbc:postgresql:, not"
                + " 'jdbc:mysql://db/x?password=***'");
  }

  @Test
  void anUnreachableDatabaseIsUnavailableAndNamesIt() {
    String url = "jdbc:postgresql://127.0.0.1:1/drover?password=s3cret&connectTimeout=2";

    assertThatThrownBy(() -> CatalogSources.create(CatalogConfig.postgres(url, "drover", null)))
        .isInstanceOf(UnavailableException.class)
        .hasMessageStartingWith(
            "postgres jdbc:postgresql://127.0.0.1:1/drover?password=***&connectTimeout=2: cannot"
                + " create the catalog tables: ")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void theConfigNeverPrintsThePassword() {
    CatalogConfig config =
        CatalogConfig.postgres("jdbc:postgresql://db/x?password=s3cret", "drover", "hunter2");

    assertThat(config.toString()).doesNotContain("s3cret", "hunter2").contains("password=***");
  }
}
