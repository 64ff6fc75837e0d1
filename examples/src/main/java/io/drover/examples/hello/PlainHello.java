package io.drover.examples.hello;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A service with a plain {@code main}, no SDK: it takes its port from the {@code drover.port}
 * system property or its first argument, and answers every request with its instance id.
 *
 * <pre>java -Ddrover.port=8080 -cp drover-examples.jar io.drover.examples.hello.PlainHello</pre>
 */
public final class PlainHello {
  private PlainHello() {}

  public static void main(String[] args) throws IOException {
    int port =
        Integer.parseInt(System.getProperty("drover.port", args.length > 0 ? args[0] : "8080"));
    String instance = System.getProperty("drover.instance", "plain-hello");
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 128);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = ("hello from " + instance + "\n").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
    server.start();
    System.out.println(
        "plain-hello " + instance + " listening on port " + server.getAddress().getPort());
  }
}
