package io.drover.agent.artifacts;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** Downloads a jar stored in the controller (by sha256) to a local file. */
public interface BlobFetcher {
  CompletableFuture<Void> fetch(String sha256, Path target);
}
