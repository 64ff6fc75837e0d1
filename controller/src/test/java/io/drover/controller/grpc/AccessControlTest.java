package io.drover.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.controller.Cluster;
import io.drover.controller.Controller;
import io.drover.controller.config.AccessConfig;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.Event;
import io.drover.controller.events.EventKind;
import io.drover.v1.AccessGrpc;
import io.drover.v1.ApplyCatalogRequest;
import io.drover.v1.ControlGrpc;
import io.drover.v1.CreateTokenRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.ScaleServiceRequest;
import io.drover.v1.ServiceStatus;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API over a real socket with access control on: who may call what, the audit trail, the
 * first admin token, and requests too large; a refused call changes nothing.
 */
class AccessControlTest {
  private static final String CATALOG =
      """
      services:
        - name: hello
          artifact: {path: hello.jar, sha256: %s}
          entry: example.Hello
          replicas: {min: 1, max: 5, initial: 1}
      """
          .formatted("ab".repeat(32));
  static final int CONTROL_LIMIT = 64 << 10;

  @RegisterExtension final Cluster cluster = new Cluster();
  @TempDir Path dir;

  private Controller controller;
  private String adminToken;

  @BeforeEach
  void startWithAccessControl() throws Exception {
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, CATALOG);
    controller = start();
    Path tokenFile = dir.resolve("controller").resolve("admin.token");
    assertThat(Files.getPosixFilePermissions(tokenFile))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    adminToken = Files.readString(tokenFile).trim();
    assertThat(adminToken).startsWith("drv_");
    await().until(() -> desired(control(adminToken)), d -> d == 1);
  }

  private Controller start() {
    return cluster.controller(
        ControllerConfig.defaults(
                Cluster.loopback(0), Cluster.loopback(0), dir.resolve("controller"))
            .withCatalog(ControllerConfig.CatalogLocation.file(dir.resolve("catalog.yaml"), dir)),
        AccessConfig.defaults().withControlMaxMessageBytes(CONTROL_LIMIT));
  }

  @Test
  void withoutCredentialsEveryAdminCallIsUnauthenticatedButHealthAnswers() {
    ControlGrpc.ControlBlockingStub anonymous = control(null);
    assertStatus(
        () -> anonymous.listNodes(ListNodesRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "Control/ListNodes needs credentials");
    assertStatus(
        () -> anonymous.scaleService(scale("hello", 3)),
        Status.Code.UNAUTHENTICATED,
        "Control/ScaleService needs credentials");
    assertStatus(
        () -> control("drv_not-a-token").listNodes(ListNodesRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "the token is not known");
    assertThat(
            HealthGrpc.newBlockingStub(cluster.channel(controller.grpcPort()))
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .hasToString("SERVING");
    assertThat(desired(control(adminToken))).isEqualTo(1);
    assertThat(audits())
        .anyMatch(
            e ->
                e.attributes().get("identity").equals("anonymous")
                    && e.attributes().get("method").equals("drover.v1.Control/ScaleService")
                    && e.attributes().get("outcome").startsWith("UNAUTHENTICATED"));
  }

  @Test
  void aViewerReadsButMayNotScaleAndNothingIsScaled() {
    String viewer = create("dashboards", "viewer");
    ControlGrpc.ControlBlockingStub control = control(viewer);
    assertThat(control.listServices(ListServicesRequest.getDefaultInstance()).getServicesCount())
        .isEqualTo(1);

    assertStatus(
        () -> control.scaleService(scale("hello", 3)),
        Status.Code.PERMISSION_DENIED,
        "Control/ScaleService needs the operator role; dashboards has viewer");
    assertStatus(
        () ->
            AccessGrpc.newBlockingStub(channel(viewer))
                .createToken(
                    CreateTokenRequest.newBuilder().setName("me").setRole("admin").build()),
        Status.Code.PERMISSION_DENIED,
        "Access/CreateToken needs the admin role");

    assertThat(desired(control(adminToken))).isEqualTo(1);
    assertThat(controller.events().tail(200))
        .noneMatch(e -> e.kind() == EventKind.SERVICE_SCALED && e.message().contains("→3"));
    assertThat(audits())
        .anyMatch(
            e ->
                e.subject().equals("identity/dashboards")
                    && e.attributes().get("method").equals("drover.v1.Control/ScaleService")
                    && e.attributes().get("outcome").startsWith("PERMISSION_DENIED"));
  }

  @Test
  void anOperatorScalesAndTheAuditNamesIt() {
    String operator = create("ci", "operator");
    ServiceStatus scaled = control(operator).scaleService(scale("hello", 3));
    assertThat(scaled.getDesired()).isEqualTo(3);
    assertThat(desired(control(adminToken))).isEqualTo(3);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                audits().stream()
                    .anyMatch(
                        e ->
                            e.attributes().get("identity").equals("ci")
                                && e.attributes()
                                    .get("method")
                                    .equals("drover.v1.Control/ScaleService")
                                && e.attributes().get("outcome").equals("OK")));
    assertStatus(
        () ->
            AccessGrpc.newBlockingStub(channel(operator))
                .createToken(
                    CreateTokenRequest.newBuilder().setName("x").setRole("viewer").build()),
        Status.Code.PERMISSION_DENIED,
        "needs the admin role; ci has operator");
  }

  @Test
  void tokensSurviveARestartAndTheFirstAdminTokenIsWrittenOnce() throws Exception {
    String operator = create("ci", "operator");
    controller.close();
    Path tokenFile = dir.resolve("controller").resolve("admin.token");
    Files.delete(tokenFile);
    controller = start();
    assertThat(tokenFile).as("only the first start writes an admin token").doesNotExist();
    assertThat(control(operator).scaleService(scale("hello", 2)).getDesired()).isEqualTo(2);
    assertThat(control(adminToken).listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount())
        .isZero();
    assertStatus(
        () -> create("ci", "viewer"), Status.Code.FAILED_PRECONDITION, "a token named ci exists");
  }

  @Test
  void oversizedRequestsAndFieldsAreRefusedAndChangeNothing() {
    String operator = create("ci", "operator");
    ControlGrpc.ControlBlockingStub control = control(operator);
    assertStatus(
        () -> control.scaleService(scale("h".repeat(CONTROL_LIMIT + 1), 3)),
        Status.Code.RESOURCE_EXHAUSTED,
        "exceeds the limit of " + CONTROL_LIMIT + " bytes (control.maxMessageBytes)");
    assertStatus(
        () -> control.scaleService(scale("h".repeat(300), 3)),
        Status.Code.INVALID_ARGUMENT,
        "service: is 300 characters long; the limit is 256");
    assertStatus(
        () ->
            control.applyCatalog(
                ApplyCatalogRequest.newBuilder()
                    .setYaml(CATALOG.replace("initial: 1", "initial: 4"))
                    .setSourceName("s".repeat(1000))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "source_name:");
    assertStatus(
        () ->
            AccessGrpc.newBlockingStub(channel(adminToken))
                .createToken(
                    CreateTokenRequest.newBuilder()
                        .setName("n".repeat(65))
                        .setRole("viewer")
                        .build()),
        Status.Code.INVALID_ARGUMENT,
        "name:");
    assertThat(desired(control(adminToken))).isEqualTo(1);
    assertThat(audits())
        .anyMatch(e -> e.attributes().get("outcome").startsWith("RESOURCE_EXHAUSTED"));
  }

  @Test
  void outsideDevModeACatalogWithoutSha256IsRefusedWholeAndChangesNothing() throws Exception {
    String operator = create("deployer", "operator");
    String unpinned =
        CATALOG.replace(", sha256: " + "ab".repeat(32), "").replace("initial: 1", "initial: 3");
    assertStatus(
        () ->
            control(operator)
                .applyCatalog(
                    ApplyCatalogRequest.newBuilder()
                        .setYaml(unpinned)
                        .setSourceName("unpinned.yaml")
                        .build()),
        Status.Code.INVALID_ARGUMENT,
        "service hello: artifact.sha256 is required");
    assertThat(desired(control(adminToken))).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("catalog.yaml"))).isEqualTo(CATALOG);
    assertThat(controller.events().tail(200))
        .anyMatch(
            e ->
                e.kind() == EventKind.CATALOG_REJECTED
                    && e.message().contains("artifact.sha256 is required"));
  }

  private String create(String name, String role) {
    return AccessGrpc.newBlockingStub(channel(adminToken))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .createToken(CreateTokenRequest.newBuilder().setName(name).setRole(role).build())
        .getToken();
  }

  private io.grpc.Channel channel(String token) {
    io.grpc.Channel channel = cluster.channel(controller.grpcPort());
    if (token == null) {
      return channel;
    }
    Metadata headers = new Metadata();
    headers.put(AccessInterceptor.AUTHORIZATION, "Bearer " + token);
    return io.grpc.ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private ControlGrpc.ControlBlockingStub control(String token) {
    return ControlGrpc.newBlockingStub(channel(token)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ScaleServiceRequest scale(String service, int replicas) {
    return ScaleServiceRequest.newBuilder().setService(service).setReplicas(replicas).build();
  }

  private static int desired(ControlGrpc.ControlBlockingStub control) {
    return control.listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
        .filter(s -> s.getName().equals("hello"))
        .mapToInt(ServiceStatus::getDesired)
        .findFirst()
        .orElse(-1);
  }

  private List<Event> audits() {
    return controller.events().tail(500).stream().filter(e -> e.kind() == EventKind.AUDIT).toList();
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String description) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(description);
            });
  }
}
