package io.drover.controller.catalog;

import io.drover.common.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Opens the catalog source that the configuration names. */
public final class CatalogSources {
  static final String SOURCE_KEY = "catalog.source";
  static final String FILE_KEY = "catalog.file";
  static final String URL_KEY = "catalog.postgres.url";

  private CatalogSources() {}

  /**
   * @throws ConfigException naming each key that is missing or wrong
   * @throws io.drover.common.errors.UnavailableException when the database cannot be reached
   */
  public static CatalogSource create(CatalogConfig config) {
    List<String> problems = new ArrayList<>();
    String kind = config.kind() == null ? "" : config.kind().strip().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "file" -> {
        if (config.file() == null || config.file().toString().isBlank()) {
          problems.add(FILE_KEY + ": missing; the path of the catalog's YAML file");
        }
      }
      case "postgres" -> {
        String url = config.jdbcUrl();
        if (url == null || url.isBlank()) {
          problems.add(
              URL_KEY + ": missing; a JDBC URL such as jdbc:postgresql://db.example:5432/drover");
        } else if (!url.startsWith("jdbc:postgresql:")) {
          problems.add(
              URL_KEY
                  + ": must start with jdbc:postgresql:, not '"
                  + PostgresCatalogSource.redact(url)
                  + "'");
        }
      }
      case "" -> problems.add(SOURCE_KEY + ": missing; file or postgres");
      default ->
          problems.add(SOURCE_KEY + ": must be file or postgres, not '" + config.kind() + "'");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return kind.equals("file")
        ? new YamlFileCatalogSource(config.file())
        : new PostgresCatalogSource(config.jdbcUrl(), config.user(), config.password());
  }
}
