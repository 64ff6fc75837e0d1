package io.drover.controller.catalog;

import java.nio.file.Path;

/**
 * Where the controller finds its catalog: the settings {@code catalog.source}, {@code
 * catalog.file}, {@code catalog.postgres.url}, {@code catalog.postgres.user} and {@code
 * catalog.postgres.password}. {@link CatalogSources#create} checks them.
 *
 * @param kind {@code file} or {@code postgres}
 */
public record CatalogConfig(String kind, Path file, String jdbcUrl, String user, String password) {
  public static CatalogConfig file(Path file) {
    return new CatalogConfig("file", file, null, null, null);
  }

  public static CatalogConfig postgres(String jdbcUrl, String user, String password) {
    return new CatalogConfig("postgres", null, jdbcUrl, user, password);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "CatalogConfig[kind="
        + kind
        + ", file="
        + file
        + ", jdbcUrl="
        + (jdbcUrl == null ? null : PostgresCatalogSource.redact(jdbcUrl))
        + ", user="
        + user
        + ", password="
        + (password == null ? null : "***")
        + "]";
  }
}
