package io.drover.agent.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Finds the jar of an assignment on this node and checks it against its sha256 before anything
 * runs. Locations: {@code file:PATH} (or a bare path), {@code blob:SHA256} (stored in the
 * controller, fetched once and cached by hash), {@code https://...} (downloaded once per hash).
 * Hashing is remembered per file size and modification time, so a warm assignment does not read the
 * jar again.
 */
public final class ArtifactCache {
  private final Path cacheDir;
  private final BlobFetcher blobs;
  private final Executor io;
  // Made on the first URL artifact: an HTTP client loads TLS and starts a selector thread, which an
  // agent that only ever fetches blobs from its controller should not pay for.
  private volatile HttpClient http;
  private final Map<Path, Stamp> verified = new ConcurrentHashMap<>();

  private record Stamp(long size, FileTime modified, String sha256) {}

  public ArtifactCache(Path cacheDir, BlobFetcher blobs, Executor io) {
    this.cacheDir = cacheDir;
    this.blobs = blobs;
    this.io = io;
  }

  private HttpClient http() {
    HttpClient client = http;
    if (client == null) {
      synchronized (this) {
        client = http;
        if (client == null) {
          client =
              HttpClient.newBuilder()
                  .connectTimeout(Duration.ofSeconds(10))
                  .followRedirects(HttpClient.Redirect.NORMAL)
                  .executor(io)
                  .build();
          http = client;
        }
      }
    }
    return client;
  }

  /**
   * The local file of {@code location}, checked against {@code sha256} (lowercase hex; empty to
   * accept any content, as dev mode allows).
   *
   * @return a future failing with {@link ArtifactMismatchException} on a wrong hash
   */
  public CompletableFuture<Path> resolve(String location, String sha256) {
    if (location.startsWith("blob:")) {
      String hash = location.substring("blob:".length());
      return cached(
          hash, target -> blobs.fetch(hash, target), location, sha256.isEmpty() ? hash : sha256);
    }
    if (location.startsWith("https://") || location.startsWith("http://")) {
      if (sha256.isEmpty()) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("artifact " + location + ": a URL needs a sha256"));
      }
      return cached(sha256, target -> download(location, target), location, sha256);
    }
    Path file =
        Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location);
    return CompletableFuture.supplyAsync(() -> checked(file, location, sha256), io);
  }

  private CompletableFuture<Path> cached(
      String hash, Fetch fetch, String location, String expected) {
    Path target = cacheDir.resolve(hash + ".jar");
    if (Files.isRegularFile(target)) {
      return CompletableFuture.supplyAsync(() -> checked(target, location, expected), io);
    }
    Path partial = cacheDir.resolve(hash + "." + UUID.randomUUID() + ".part");
    try {
      Files.createDirectories(cacheDir);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return fetch
        .into(partial)
        .thenApplyAsync(
            done -> {
              try {
                checked(partial, location, expected);
                Files.move(
                    partial,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
                return checked(target, location, expected);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            io)
        // Whatever happened, also a failed download (a 404, a broken connection), the partial
        // file goes: one per failed attempt would pile up in the cache.
        .whenComplete((path, error) -> deleteQuietly(partial));
  }

  private static void deleteQuietly(Path partial) {
    try {
      Files.deleteIfExists(partial);
    } catch (IOException ignored) {
      // A leftover .part file is harmless: no name is ever used twice.
    }
  }

  private CompletableFuture<Void> download(String url, Path target) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build();
    return http()
        .sendAsync(request, HttpResponse.BodyHandlers.ofFile(target))
        .thenAccept(
            response -> {
              if (response.statusCode() != 200) {
                throw new CompletionException(
                    new IOException("GET " + url + " answered " + response.statusCode()));
              }
            });
  }

  private Path checked(Path file, String location, String expected) {
    try {
      long size = Files.size(file);
      FileTime modified = Files.getLastModifiedTime(file);
      Stamp stamp = verified.get(file);
      String actual;
      if (stamp != null && stamp.size() == size && stamp.modified().equals(modified)) {
        actual = stamp.sha256();
      } else {
        actual = Sha256.of(file);
        verified.put(file, new Stamp(size, modified, actual));
      }
      if (!expected.isEmpty() && !expected.equalsIgnoreCase(actual)) {
        throw new ArtifactMismatchException(location, expected, actual);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "artifact " + location + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Fetch {
    CompletableFuture<Void> into(Path target);
  }
}
