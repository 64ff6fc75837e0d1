package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** ListEndpoints, WatchEndpoints and /v1/services/NAME/endpoints on a real controller. */
class EndpointsApiTest {
  private static final String HELLO =
      """
      services:
        - name: hello
          artifact: {path: hello.jar}
          entry: example.Hello
          replicas: {min: 1, max: 3, initial: 1}
      """;
  private static final String ORDERS =
      """
        - name: orders
          artifact: {path: orders.jar}
          entry: example.Orders
          replicas: {min: 1, max: 3, initial: 1}
      """;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;
  private Controller controller;
  private ControlGrpc.ControlBlockingStub control;

  @BeforeEach
  void start() throws Exception {
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(file, HELLO);
    controller =
        cluster.controller(
            ControllerConfig.defaults(
                    Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(file, dir)));
    control = cluster.control(controller.grpcPort());
    // Until the scheduler's first pass, the controller knows nothing and says so (UNAVAILABLE).
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreException(StatusRuntimeException.class)
        .until(() -> list("hello") != null);
  }

  @Test
  void aServiceOfTheCatalogWithNoReadyInstanceHasAnEmptySet() {
    ServiceEndpoints hello = list("hello");
    assertThat(hello.getInCatalog()).isTrue();
    assertThat(hello.getService()).isEqualTo("hello");
    assertThat(hello.getEndpointsList()).isEmpty();
  }

  @Test
  void anUnknownServiceIsNotFoundAndABlankNameIsInvalid() throws Exception {
    assertThatThrownBy(() -> list("orders"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("service 'orders' not found");
            });
    assertThatThrownBy(() -> list(" "))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith("service:");
            });
    Iterator<ServiceEndpoints> blank =
        control.watchEndpoints(WatchEndpointsRequest.newBuilder().setService("").build());
    assertThatThrownBy(blank::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

    HttpResponse<String> missing = http("/v1/services/orders/endpoints");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("service 'orders' not found");
    HttpResponse<String> hello = http("/v1/services/hello/endpoints");
    assertThat(hello.statusCode()).isEqualTo(200);
    assertThat(hello.body()).contains("\"service\":\"hello\"").contains("\"endpoints\":[]");
  }

  @Test
  void aWatchOfAServiceThatDoesNotExistYetStartsEmptyAndHearsWhenItIsCreated() {
    // Its own stub: the stream must outlive the per-call deadline of the test's stub.
    Iterator<ServiceEndpoints> watch =
        ControlGrpc.newBlockingStub(cluster.channel(controller.grpcPort()))
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .watchEndpoints(WatchEndpointsRequest.newBuilder().setService("orders").build());
    ServiceEndpoints first = watch.next();
    assertThat(first.getInCatalog()).isFalse();
    assertThat(first.getEndpointsList()).isEmpty();

    control.applyCatalog(
        ApplyCatalogRequest.newBuilder().setYaml(HELLO + ORDERS).setSourceName("both").build());
    ServiceEndpoints created = watch.next();
    assertThat(created.getInCatalog()).isTrue();
    assertThat(created.getVersion()).isGreaterThan(first.getVersion());
    assertThat(list("orders").getInCatalog()).isTrue();
  }

  private ServiceEndpoints list(String service) {
    return control.listEndpoints(ListEndpointsRequest.newBuilder().setService(service).build());
  }

  private HttpResponse<String> http(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
