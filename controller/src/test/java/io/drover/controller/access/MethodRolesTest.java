package io.drover.controller.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.PermissionDeniedException;
import io.drover.common.errors.UnauthenticatedException;
import io.drover.controller.events.EventJournal;
import io.drover.controller.state.SharedDesiredState;
import io.drover.v1.AccessGrpc;
import io.drover.v1.AgentGatewayGrpc;
import io.drover.v1.ArtifactsGrpc;
import io.drover.v1.ControlGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The role table covers every method the controller serves, and refuses what it does not know. */
class MethodRolesTest {
  @TempDir Path dir;

  @Test
  void everyMethodServedHasARow() {
    Stream.of(
            ControlGrpc.getServiceDescriptor(),
            AgentGatewayGrpc.getServiceDescriptor(),
            ArtifactsGrpc.getServiceDescriptor(),
            AccessGrpc.getServiceDescriptor(),
            io.drover.v1.JoinGrpc.getServiceDescriptor(),
            io.grpc.health.v1.HealthGrpc.getServiceDescriptor())
        .map(ServiceDescriptor::getMethods)
        .flatMap(java.util.Collection::stream)
        .map(MethodDescriptor::getFullMethodName)
        .forEach(m -> assertThat(MethodRoles.of(m)).as(m).isPresent());
  }

  @Test
  void rolesFollowTheTable() {
    assertThat(MethodRoles.of("drover.v1.Control/ListNodes").orElseThrow().role())
        .isEqualTo(Role.VIEWER);
    assertThat(MethodRoles.of("drover.v1.Control/ScaleService").orElseThrow().role())
        .isEqualTo(Role.OPERATOR);
    assertThat(MethodRoles.of("drover.v1.Control/DrainNode").orElseThrow().mutating()).isTrue();
    assertThat(MethodRoles.of("drover.v1.Access/CreateToken").orElseThrow().role())
        .isEqualTo(Role.ADMIN);
    assertThat(Role.ADMIN.includes(Role.OPERATOR)).isTrue();
    assertThat(Role.VIEWER.includes(Role.OPERATOR)).isFalse();
  }

  @Test
  void aMethodNotInTheTableIsDeniedEvenToAnAdminAndEvenWithAccessControlOff() {
    try (SharedDesiredState state = SharedDesiredState.open(dir)) {
      EventJournal events = new EventJournal(100, Clock.systemUTC());
      AccessControl on = new AccessControl(true, state, events, Clock.systemUTC());
      String admin = on.issue("root", Role.ADMIN);
      Credentials credentials = new Credentials(Optional.of(admin), Optional.empty());
      assertThatThrownBy(() -> on.authorize("drover.v1.Control/DeleteEverything", credentials, "p"))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("Control/DeleteEverything is not in the access table");
      AccessControl off = new AccessControl(false, state, events, Clock.systemUTC());
      assertThatThrownBy(
              () -> off.authorize("drover.v1.Control/DeleteEverything", Credentials.NONE, "p"))
          .isInstanceOf(PermissionDeniedException.class);
      assertThat(off.authorize("drover.v1.Control/ScaleService", Credentials.NONE, "p"))
          .contains(Identity.OPEN);
      assertThat(on.authorize("drover.v1.Control/ScaleService", credentials, "p").orElseThrow())
          .isEqualTo(new Identity("root", Role.ADMIN, "token"));
    }
  }

  @Test
  void aNodeCertificateMayReadEndpointsForItsContainersAndNothingElse() {
    try (SharedDesiredState state = SharedDesiredState.open(dir)) {
      AccessControl on =
          new AccessControl(
              true, state, new EventJournal(100, Clock.systemUTC()), Clock.systemUTC());
      Credentials node =
          new Credentials(Optional.empty(), Optional.of("CN=n1,OU=node"), Optional.of("n1"));
      for (String method :
          new String[] {"drover.v1.Control/WatchEndpoints", "drover.v1.Control/ListEndpoints"}) {
        assertThat(on.authorize(method, node, "p").orElseThrow())
            .isEqualTo(new Identity("node/n1", Role.VIEWER, "node certificate"));
      }
      for (String method :
          new String[] {
            "drover.v1.Control/ListNodes",
            "drover.v1.Control/ScaleService",
            "drover.v1.Join/CreateJoinToken"
          }) {
        assertThatThrownBy(() -> on.authorize(method, node, "p"))
            .as(method)
            .isInstanceOf(PermissionDeniedException.class)
            .hasMessageContaining("carries no role");
      }
      // A revoked or foreign node certificate is not accepted: the subject alone opens nothing.
      Credentials subjectOnly = new Credentials(Optional.empty(), Optional.of("CN=n1,OU=node"));
      assertThatThrownBy(() -> on.authorize("drover.v1.Control/WatchEndpoints", subjectOnly, "p"))
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void aCertificateGivesItsCnAndTheRoleInItsOu() {
    assertThat(AccessControl.fromCertificate("m", "CN=alice,OU=operator,O=Drover"))
        .isEqualTo(new Identity("alice", Role.OPERATOR, "certificate"));
    assertThatThrownBy(() -> AccessControl.fromCertificate("m", "CN=node-1,OU=agents"))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("carries no role");
    assertThatThrownBy(() -> AccessControl.fromCertificate("m", "OU=admin"))
        .isInstanceOf(UnauthenticatedException.class)
        .hasMessageContaining("no subject CN");
  }
}
