package io.drover.agent.testing.services;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A test service loaded from a jar by a real container: {@code GET /} answers {@code hello from
 * INSTANCE pid PID}; {@code GET /crash} answers, then halts the JVM with code 70, as a crash would.
 */
public final class CrashableService implements MicroService {
  public static final int CRASH_EXIT_CODE = 70;
  private HttpServer server;

  @Override
  public void start(ServiceContext context) throws IOException {
    server = HttpServer.create(new InetSocketAddress(context.port()), 64);
    String pid = Long.toString(ProcessHandle.current().pid());
    server.createContext(
        "/",
        exchange -> {
          if (exchange.getRequestURI().getPath().equals("/crash")) {
            respond(exchange, "crashing\n");
            Thread crash =
                new Thread(
                    () -> {
                      try {
                        Thread.sleep(50);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      Runtime.getRuntime().halt(CRASH_EXIT_CODE);
                    });
            crash.start();
            return;
          }
          respond(exchange, "hello from " + context.instanceId() + " pid " + pid + "\n");
        });
    server.start();
  }

  @Override
  public void stop() {
    server.stop(0);
  }

  private static void respond(HttpExchange exchange, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
