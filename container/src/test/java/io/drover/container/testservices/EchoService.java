package io.drover.container.testservices;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A test service loaded from a jar by the container: {@code GET /} answers {@code echo from
 * INSTANCE}, {@code GET /overload} and {@code GET /error} make reports, {@code GET /env?NAME} shows
 * an assignment variable.
 */
public final class EchoService implements MicroService {
  private HttpServer server;

  @Override
  public void start(ServiceContext context) throws IOException {
    server = HttpServer.create(new InetSocketAddress(context.port()), 64);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          String body;
          switch (path) {
            case "/overload" -> {
              context.reportOverload("asked to by " + exchange.getRemoteAddress());
              body = "reported\n";
            }
            case "/error" -> {
              context.reportError(new IllegalStateException("asked to"));
              body = "reported\n";
            }
            case "/env" -> body = context.env().get(exchange.getRequestURI().getQuery()) + "\n";
            default -> body = "echo from " + context.instanceId() + "\n";
          }
          respond(exchange, body);
        });
    server.start();
    System.out.println("echo " + context.instanceId() + " listening on " + context.port());
  }

  @Override
  public void stop() {
    server.stop(0);
    System.out.println("echo stopped");
  }

  private static void respond(HttpExchange exchange, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
