package io.drover.agent.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
  @TempDir Path dir;
  private final ExecutorService io = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    io.shutdownNow();
  }

  @Test
  void aFileIsCheckedAgainstItsHash() throws Exception {
    Path jar = write("service.jar", "jar bytes");
    String sha = Sha256.of(jar);
    ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), neverFetch(), io);
    assertThat(cache.resolve("file:" + jar, sha).get(5, TimeUnit.SECONDS)).isEqualTo(jar);
    assertThat(cache.resolve(jar.toString(), "").get(5, TimeUnit.SECONDS)).isEqualTo(jar);

    assertThatThrownBy(() -> cache.resolve("file:" + jar, "0".repeat(64)).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ArtifactMismatchException.class)
        .hasMessageContaining("has sha256 " + sha)
        .hasMessageContaining("expects " + "0".repeat(64));
  }

  @Test
  void aChangedFileIsHashedAgain() throws Exception {
    Path jar = write("service.jar", "version 1");
    String first = Sha256.of(jar);
    ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), neverFetch(), io);
    cache.resolve("file:" + jar, first).get(5, TimeUnit.SECONDS);
    Files.writeString(jar, "version 2, longer");
    assertThatThrownBy(() -> cache.resolve("file:" + jar, first).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ArtifactMismatchException.class);
  }

  @Test
  void aBlobIsFetchedOnceThenServedFromTheCache() throws Exception {
    Path source = write("orders.jar", "orders");
    String sha = Sha256.of(source);
    AtomicInteger fetches = new AtomicInteger();
    BlobFetcher fetcher =
        (hash, target) -> {
          fetches.incrementAndGet();
          return CompletableFuture.runAsync(
              () -> {
                try {
                  Files.copy(source, target);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
        };
    ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), fetcher, io);
    Path cached = cache.resolve("blob:" + sha, sha).get(5, TimeUnit.SECONDS);
    assertThat(cached).isEqualTo(dir.resolve("cache/" + sha + ".jar"));
    cache.resolve("blob:" + sha, sha).get(5, TimeUnit.SECONDS);
    assertThat(fetches).hasValue(1);
    // No partial download is left behind.
    try (var files = Files.list(dir.resolve("cache"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(sha + ".jar");
    }
  }

  @Test
  void aBlobWhoseContentDoesNotMatchIsNotKept() throws Exception {
    String claimed = "a".repeat(64);
    BlobFetcher liar =
        (hash, target) ->
            CompletableFuture.runAsync(
                () -> {
                  try {
                    Files.writeString(target, "something else");
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), liar, io);
    assertThatThrownBy(() -> cache.resolve("blob:" + claimed, claimed).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ArtifactMismatchException.class);
    assertThat(dir.resolve("cache/" + claimed + ".jar")).doesNotExist();
  }

  @Test
  void aUrlIsDownloadedOnceCheckedAndCachedAndAWrongOneIsNotKept() throws Exception {
    byte[] jar = "orders over http".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path source = write("orders.jar", "orders over http");
    String sha = Sha256.of(source);
    AtomicInteger gets = new AtomicInteger();
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/orders.jar",
        exchange -> {
          gets.incrementAndGet();
          exchange.sendResponseHeaders(200, jar.length);
          exchange.getResponseBody().write(jar);
          exchange.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), neverFetch(), io);

      Path cached = cache.resolve(base + "/orders.jar", sha).get(10, TimeUnit.SECONDS);
      assertThat(cached).isEqualTo(dir.resolve("cache/" + sha + ".jar")).hasBinaryContent(jar);
      cache.resolve(base + "/orders.jar", sha).get(10, TimeUnit.SECONDS);
      assertThat(gets).as("downloads").hasValue(1);

      String claimed = "b".repeat(64);
      assertThatThrownBy(
              () -> cache.resolve(base + "/orders.jar", claimed).get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ArtifactMismatchException.class)
          .hasMessageContaining("has sha256 " + sha);
      assertThat(dir.resolve("cache/" + claimed + ".jar")).doesNotExist();

      assertThatThrownBy(
              () -> cache.resolve(base + "/missing.jar", claimed).get(10, TimeUnit.SECONDS))
          .cause()
          .hasMessageContaining("GET " + base + "/missing.jar answered 404");
      try (var files = Files.list(dir.resolve("cache"))) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly(sha + ".jar");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aUrlNeedsAHash() {
    ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), neverFetch(), io);
    assertThatThrownBy(
            () -> cache.resolve("https://example.invalid/a.jar", "").get(5, TimeUnit.SECONDS))
        .cause()
        .hasMessageContaining("needs a sha256");
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private static BlobFetcher neverFetch() {
    return (hash, target) ->
        CompletableFuture.failedFuture(new AssertionError("no fetch expected"));
  }
}
