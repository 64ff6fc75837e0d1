package io.drover.controller.catalog;

/** How a service's instances are started. */
public enum StartMode {
  /** Loaded into a container JVM that was started ahead of need (the warm pool). */
  WARM,
  /** A fresh container JVM is started for each instance. */
  COLD
}
