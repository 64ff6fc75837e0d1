package io.drover.common.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drover.common.errors.UnavailableException;
import io.drover.common.net.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP side of a daemon ({@code /healthz}, {@code /metrics}, the controller's read-only
 * JSON and dashboard), on the JDK's own server: it costs no dependency and next to no memory, which
 * matters for the agent's footprint.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
  private static final int WRITE_SLICE = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts serving {@code routes} (exact paths, GET and HEAD only).
   *
   * @throws UnavailableException when the address cannot be bound
   */
  public static HttpEndpoint start(
      String name, HostPort listen, Map<String, Supplier<HttpResponse>> routes) {
    return start(name, listen, routes, request -> HttpResponse.text(404, "not found\n"));
  }

  /**
   * Binds and starts serving {@code routes} (exact paths); every other GET or HEAD goes to {@code
   * others}, which answers 404 for what it does not know.
   *
   * @throws UnavailableException when the address cannot be bound
   */
  public static HttpEndpoint start(
      String name,
      HostPort listen,
      Map<String, Supplier<HttpResponse>> routes,
      Function<HttpGet, HttpResponse> others) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 32);
    } catch (IOException e) {
      throw new UnavailableException(
          "cannot listen for HTTP on " + listen + ": " + e.getMessage(), e);
    }
    Map<String, Supplier<HttpResponse>> table = new LinkedHashMap<>(routes);
    server.createContext("/", exchange -> handle(exchange, table, others));
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, name + "-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoint(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(
      HttpExchange exchange,
      Map<String, Supplier<HttpResponse>> routes,
      Function<HttpGet, HttpResponse> others)
      throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      Supplier<HttpResponse> route = routes.get(path);
      HttpResponse response;
      if (!method.equals("GET") && !method.equals("HEAD")) {
        response = HttpResponse.text(405, "only GET and HEAD\n").withHeader("Allow", "GET, HEAD");
      } else {
        try {
          response =
              route != null
                  ? route.get()
                  : others.apply(HttpGet.of(path, exchange.getRequestURI().getRawQuery()));
        } catch (RuntimeException e) {
          log.warn("HTTP {} failed", exchange.getRequestURI(), e);
          response = HttpResponse.text(500, "internal error\n");
        }
      }
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      response.headers().forEach(exchange.getResponseHeaders()::set);
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length);
      if (!head) {
        byte[] body = response.body();
        try (OutputStream out = exchange.getResponseBody()) {
          // In slices: the JDK's server keeps what one write gave it for as long as the client
          // keeps the connection open, and a scraper does between scrapes; a 10 MB /metrics text
          // written at once stayed on the heap twice over until the next scrape.
          for (int at = 0; at < body.length; at += WRITE_SLICE) {
            out.write(body, at, Math.min(WRITE_SLICE, body.length - at));
          }
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
