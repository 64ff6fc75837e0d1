package io.drover.controller.catalog;

/**
 * A service that passed its own checks, with what the check that needs its profile too (memory for
 * the heap) points at.
 */
record ServiceDraft(ServiceSpec spec, String path, Position memoryAt) {}
