package io.drover.controller.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * Outside dev mode every artifact names its sha256, so that a node runs only the jar the catalog
 * meant: a changed file on a share or a tampered download is refused before it is loaded.
 */
public final class ArtifactPolicy {
  private final boolean requireSha256;

  public ArtifactPolicy(boolean requireSha256) {
    this.requireSha256 = requireSha256;
  }

  /**
   * @throws CatalogException naming each service whose artifact has no sha256
   */
  public void check(Catalog catalog) {
    if (!requireSha256) {
      return;
    }
    List<String> problems = new ArrayList<>();
    for (ServiceSpec service : catalog.services()) {
      if (service.artifact().sha256().isEmpty()) {
        problems.add(
            "service "
                + service.name()
                + ": artifact.sha256 is required (artifacts.requireSha256; off only in dev mode):"
                + " add the jar's sha256 (sha256sum FILE), or push it with drover artifact push"
                + " and name it as {blob: SHA256}");
      }
    }
    if (!problems.isEmpty()) {
      throw new CatalogException(problems);
    }
  }
}
