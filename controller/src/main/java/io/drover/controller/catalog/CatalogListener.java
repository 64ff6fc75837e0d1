package io.drover.controller.catalog;

/** Told of every change to a watched catalog; called on the source's background thread. */
public interface CatalogListener {
  /** A valid catalog is now in force. */
  void onChange(Catalog catalog);

  /** The source changed to something invalid; the previous catalog stays in force. */
  void onInvalid(CatalogException problem);
}
