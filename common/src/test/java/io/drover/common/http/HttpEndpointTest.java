package io.drover.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.common.net.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fixed routes, the handler of every other path, query strings and headers. */
class HttpEndpointTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  @Test
  void withoutAHandlerOtherPathsAre404() throws Exception {
    endpoint =
        HttpEndpoint.start(
            "test",
            new HostPort("127.0.0.1", 0),
            Map.of("/healthz", () -> HttpResponse.json(200, "{}")));
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/other").statusCode()).isEqualTo(404);
  }

  @Test
  void otherPathsGoToTheHandlerWithTheirQuery() throws Exception {
    AtomicReference<HttpGet> seen = new AtomicReference<>();
    endpoint =
        HttpEndpoint.start(
            "test",
            new HostPort("127.0.0.1", 0),
            Map.of("/healthz", () -> HttpResponse.json(200, "{}")),
            request -> {
              seen.set(request);
              return HttpResponse.text(200, "ok").withHeader("Cache-Control", "no-store");
            });
    var response = get("/v1/events?tail=20&node=web%2D1&flag&tail=30");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(seen.get().path()).isEqualTo("/v1/events");
    assertThat(seen.get().query())
        .containsExactlyInAnyOrderEntriesOf(Map.of("tail", "20", "node", "web-1", "flag", ""));
    assertThat(get("/healthz").body()).isEqualTo("{}");

    var post =
        client.send(
            HttpRequest.newBuilder(uri("/v1/events"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void aFailingHandlerIsA500WithoutDetails() throws Exception {
    endpoint =
        HttpEndpoint.start(
            "test",
            new HostPort("127.0.0.1", 0),
            Map.of(),
            request -> {
              throw new IllegalStateException("secret detail");
            });
    var response = get("/x");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).doesNotContain("secret");
  }

  @Test
  void aLargeBodyArrivesWholeAndInOrder() throws Exception {
    // Larger than one write slice and not a multiple of it.
    byte[] body = new byte[3 * 64 * 1024 + 17];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    endpoint =
        HttpEndpoint.start(
            "test",
            new HostPort("127.0.0.1", 0),
            Map.of("/big", () -> new HttpResponse(200, "text/plain", body)));
    var response = get("/big");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(new String(body, StandardCharsets.US_ASCII));
    // HEAD answers the headers alone.
    var head =
        client.send(
            HttpRequest.newBuilder(uri("/big"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  private java.net.http.HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + endpoint.port() + path);
  }
}
