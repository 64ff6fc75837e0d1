package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.EventKind;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ServiceStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad catalogs are refused with every problem named, and the last good one stays in force. */
class CatalogInForceTest {
  private static final String ONE =
      """
      services:
        - name: hello
          artifact: {path: hello.jar}
          entry: example.Hello
          replicas: {min: 1, max: 3, initial: 1}
      """;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  @Test
  void applyRefusesAnInvalidCatalogAndKeepsTheLastGoodOne() throws Exception {
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(file, ONE);
    ControlGrpc.ControlBlockingStub control = control(file);
    await().until(() -> names(control), List.of("hello")::equals);

    String broken =
        """
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: example.Hello
            replicas: {min: 5, max: 3}
        """;
    assertThatThrownBy(
            () ->
                control.applyCatalog(
                    ApplyCatalogRequest.newBuilder()
                        .setYaml(broken)
                        .setSourceName("mine.yaml")
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("mine.yaml:5:")
                  .contains("services[hello].replicas");
            });
    assertThat(Files.readString(file)).isEqualTo(ONE);
    assertThat(names(control)).containsExactly("hello");
    assertThat(kinds()).contains(EventKind.CATALOG_REJECTED);
  }

  @Test
  void aBrokenEditOfTheFileIsRejectedAndAGoodOneTakesEffect() throws Exception {
    Path file = dir.resolve("catalog.yaml");
    Files.writeString(file, ONE);
    ControlGrpc.ControlBlockingStub control = control(file);
    await().until(() -> names(control), List.of("hello")::equals);

    Files.writeString(file, "services:\n  - name: [not, a, name]\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> kinds().contains(EventKind.CATALOG_REJECTED));
    assertThat(names(control)).containsExactly("hello");

    Files.writeString(
        file,
        ONE
            + """
              - name: world
                artifact: {path: world.jar}
                entry: example.World
            """);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> names(control), List.of("hello", "world")::equals);
  }

  @Test
  void withoutACatalogSourceApplyIsAFailedPrecondition() {
    Controller controller = cluster.controller(dir.resolve("controller"));
    var control = cluster.control(controller.grpcPort());
    assertThatThrownBy(
            () -> control.applyCatalog(ApplyCatalogRequest.newBuilder().setYaml(ONE).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  private Controller controller;

  private ControlGrpc.ControlBlockingStub control(Path catalog) {
    controller =
        cluster.controller(
            ControllerConfig.defaults(
                    Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir)));
    return cluster.control(controller.grpcPort());
  }

  private List<EventKind> kinds() {
    return controller.events().tail(100).stream().map(e -> e.kind()).toList();
  }

  private static List<String> names(ControlGrpc.ControlBlockingStub control) {
    return control.listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
        .map(ServiceStatus::getName)
        .toList();
  }
}
