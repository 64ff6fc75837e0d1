package io.drover.common.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A GET (or HEAD) request as a handler sees it: its decoded path and its query parameters (the
 * first value of each name).
 */
public record HttpGet(String path, Map<String, String> query) {

  public HttpGet {
    query = Map.copyOf(query);
  }

  /** Parses a raw query string ({@code tail=20&node=web%2D1}); null or empty gives no parameter. */
  public static HttpGet of(String path, String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        query.putIfAbsent(name, value);
      }
    }
    return new HttpGet(path, query);
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(query.get(name));
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return s;
    }
  }
}
