package io.drover.controller.artifacts;

import java.time.Instant;

/** A jar stored in the controller. */
public record ArtifactInfo(String sha256, long sizeBytes, String name, Instant storedAt) {}
