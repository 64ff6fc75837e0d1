package io.drover.controller.catalog;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which of a source's observations the listener hears of: a catalog that differs from the
 * one in force (by content hash, so an edit to a comment is no change), a problem that differs from
 * the last one told, and the first valid catalog after a problem, even if it is the one in force
 * again, so that the listener knows the source is healthy.
 */
final class ChangeNotifier {
  private static final Logger log = LoggerFactory.getLogger(ChangeNotifier.class);

  private final String source;
  private final CatalogListener listener;
  private String hashInForce;
  private List<String> problemsTold;

  ChangeNotifier(String source, CatalogListener listener, Optional<Catalog> inForce) {
    this.source = source;
    this.listener = listener;
    this.hashInForce = inForce.map(Catalog::contentHash).orElse(null);
  }

  synchronized void observed(Catalog catalog) {
    String hash = catalog.contentHash();
    if (hash.equals(hashInForce) && problemsTold == null) {
      return;
    }
    hashInForce = hash;
    problemsTold = null;
    log.info("{}: catalog changed ({} services, hash {})", source, catalog.services().size(), hash);
    try {
      listener.onChange(catalog);
    } catch (RuntimeException e) {
      log.error("{}: catalog listener failed on a change", source, e);
    }
  }

  synchronized void observed(CatalogException problem) {
    if (problem.problems().equals(problemsTold)) {
      return;
    }
    problemsTold = problem.problems();
    log.warn(
        "{}: invalid catalog, the last good one stays in force:\n{}", source, problem.getMessage());
    try {
      listener.onInvalid(problem);
    } catch (RuntimeException e) {
      log.error("{}: catalog listener failed on a problem", source, e);
    }
  }
}
