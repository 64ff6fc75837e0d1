package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ControlGrpc;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ServiceStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A controller whose catalog lives in PostgreSQL: apply writes there, SQL edits take effect. */
class ControllerWithPostgresCatalogTest {
  private static EmbeddedPostgres postgres;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    assumeTrue(PostgresForTests.canRun(), PostgresForTests.whyNot());
    postgres = PostgresForTests.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void applyWritesToTheDatabaseAndTheCatalogInForceFollowsIt() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    Controller controller =
        cluster.controller(
            ControllerConfig.defaults(Cluster.loopback(0), Cluster.loopback(0), dir)
                .withCatalog(
                    new ControllerConfig.CatalogLocation(
                        "postgres",
                        Optional.empty(),
                        Optional.of(url),
                        Optional.of("postgres"),
                        Optional.empty(),
                        Optional.empty())));
    ControlGrpc.ControlBlockingStub control = cluster.control(controller.grpcPort());
    assertThat(names(control)).isEmpty();

    var applied =
        control.applyCatalog(
            ApplyCatalogRequest.newBuilder()
                .setYaml(PostgresCatalogSourceTest.CATALOG)
                .setSourceName("catalog.yaml")
                .build());
    assertThat(applied.getServices()).isEqualTo(2);
    assertThat(applied.getSource()).startsWith("postgres");
    assertThat(names(control)).containsExactly("hello", "world");

    // An invalid apply changes neither the database nor what runs.
    assertThatThrownBy(
            () ->
                control.applyCatalog(
                    ApplyCatalogRequest.newBuilder().setYaml("services: [{name: Bad}]").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThat(names(control)).containsExactly("hello", "world");

    // An operator removes a service with plain SQL: the controller follows.
    try (Connection c = DriverManager.getConnection(url, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM drover_catalog_service WHERE name = 'world'");
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> names(control), List.of("hello")::equals);
  }

  private static List<String> names(ControlGrpc.ControlBlockingStub control) {
    return control.listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
        .map(ServiceStatus::getName)
        .toList();
  }
}
