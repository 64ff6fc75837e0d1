package io.drover.controller.catalog;

/** Where the catalog is kept: a YAML file or a PostgreSQL database. */
public interface CatalogSource extends AutoCloseable {
  /** For logs and errors: "file /etc/drover/catalog.yaml", "postgres jdbc:postgresql://...". */
  String describe();

  /** The current content; throws {@link CatalogException} when it is invalid. */
  Catalog load();

  /**
   * Replaces the content with {@code yaml}, but only if it is valid; otherwise throws {@link
   * CatalogException} and changes nothing.
   *
   * @param name how problems name the text, such as the file it came from
   * @return the catalog now in force
   */
  Catalog apply(String yaml, String name);

  /**
   * Watches for changes, from whatever origin, on a background thread: {@code onChange} for each
   * change to a valid catalog, {@code onInvalid} for a change to an invalid one, which leaves the
   * last good catalog in force. Changes are judged against what {@link #load()} or {@link #apply}
   * last returned; without either, the first check reports the current content. One watcher per
   * source; {@link #close()} stops it.
   */
  void watch(CatalogListener listener);

  /** Stops watching and releases what the source holds; no exception. */
  @Override
  void close();
}
