package io.drover.controller.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Transport stays out of the domain: only {@code grpc} packages (and the composition roots that
 * wire them) may use gRPC. Written down here so that the build, not a reviewer, enforces it.
 */
class LayeringTest {
  private static final JavaClasses DROVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.drover.controller", "io.drover.agent");

  @Test
  void controllerDomainImportsNoGrpc() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.drover.controller.nodes..",
            "io.drover.controller.events..",
            "io.drover.controller.config..",
            "io.drover.controller.agents..",
            "io.drover.controller.containers..",
            "io.drover.controller.instances..",
            "io.drover.controller.discovery..",
            "io.drover.controller.scheduling..",
            "io.drover.controller.ports..",
            "io.drover.controller.artifacts..",
            "io.drover.controller.catalog..",
            "io.drover.controller.logs..",
            "io.drover.controller.state..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..")
        .check(DROVER);
  }

  @Test
  void controllerDomainDoesNotSeeTheWireFormat() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.drover.controller.nodes..",
            "io.drover.controller.events..",
            "io.drover.controller.agents..",
            "io.drover.controller.containers..",
            "io.drover.controller.instances..",
            "io.drover.controller.discovery..",
            "io.drover.controller.scheduling..",
            "io.drover.controller.ports..",
            "io.drover.controller.artifacts..",
            "io.drover.controller.logs..",
            "io.drover.controller.state..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.drover.v1..", "com.google.protobuf..")
        .check(DROVER);
  }

  @Test
  void agentProbesImportNoGrpc() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.drover.agent.config..",
            "io.drover.agent.identity..",
            "io.drover.agent.inventory..",
            "io.drover.agent.telemetry..",
            "io.drover.agent.containers..",
            "io.drover.agent.artifacts..",
            "io.drover.agent.commands..",
            "io.drover.agent.logs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..")
        .check(DROVER);
  }
}
