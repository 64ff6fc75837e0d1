package io.drover.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainHelloTest {

  @Test
  void answersOnThePortItWasGiven() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Ddrover.port=" + port,
                    "-Ddrover.instance=hello-7",
                    "-cp",
                    System.getProperty("java.class.path"),
                    PlainHello.class.getName()))
            .redirectErrorStream(true)
            .start();
    try {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(2))
              .build();
      String body =
          await()
              .atMost(Duration.ofSeconds(20))
              .ignoreExceptions()
              .until(
                  () -> client.send(request, HttpResponse.BodyHandlers.ofString()).body(),
                  b -> b != null);
      assertThat(body).isEqualTo("hello from hello-7\n");
    } finally {
      process.destroy();
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
