package io.drover.controller.scaling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The engine is pure domain: no transport, no wire format, no threads, no clock of its own. */
class ScalingLayeringTest {
  private static final JavaClasses SCALING =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.drover.controller.scaling");

  @Test
  void importsNoGrpcNoProtoAndNoConcurrency() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.grpc..", "io.drover.v1..", "com.google.protobuf..", "java.util.concurrent..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(Thread.class, Runnable.class, Clock.class)
        .check(SCALING);
  }

  @Test
  void isToldTheTime() {
    noClasses()
        .should()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .check(SCALING);
  }
}
