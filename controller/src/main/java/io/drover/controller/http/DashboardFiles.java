package io.drover.controller.http;

import io.drover.common.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files (one page, its style sheet and its script), read once from the controller's
 * jar. Only these paths are served, so no request can reach another file.
 */
final class DashboardFiles {
  /** Where the files live inside the jar. */
  static final String RESOURCES = "/io/drover/controller/http/dashboard/";

  /** URL path to file name and content type. */
  private static final Map<String, String[]> FILES =
      Map.of(
          "/", new String[] {"index.html", "text/html; charset=utf-8"},
          "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
          "/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"},
          "/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"});

  /**
   * The page may load only its own files and call only its own origin; no other site may frame it.
   */
  private static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Map<String, HttpResponse> responses;

  DashboardFiles() {
    Map<String, HttpResponse> loaded = new java.util.HashMap<>();
    FILES.forEach(
        (path, file) ->
            loaded.put(
                path,
                new HttpResponse(200, file[1], read(file[0]))
                    .withHeader("Cache-Control", "no-cache")
                    .withHeader("X-Content-Type-Options", "nosniff")
                    .withHeader("Content-Security-Policy", POLICY)));
    this.responses = Map.copyOf(loaded);
  }

  Optional<HttpResponse> get(String path) {
    return Optional.ofNullable(responses.get(path));
  }

  private static byte[] read(String name) {
    try (InputStream in = DashboardFiles.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("the controller's jar lacks " + RESOURCES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCES + name, e);
    }
  }
}
