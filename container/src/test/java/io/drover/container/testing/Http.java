package io.drover.container.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small HTTP and TCP helpers for tests that talk to services in containers. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  /** The body of {@code GET http://127.0.0.1:PORT/PATH}; throws on any failure or non-200. */
  public static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = send(port, path);
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " for " + path);
    }
    return response.body();
  }

  public static HttpResponse<String> send(int port, String path)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Whether something accepts TCP connections on {@code port} of loopback. */
  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
