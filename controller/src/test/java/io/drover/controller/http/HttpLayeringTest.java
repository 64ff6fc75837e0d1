package io.drover.controller.http;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side reads the domain directly: it sees neither gRPC nor the wire format, and it goes
 * through no gRPC adapter.
 */
class HttpLayeringTest {
  @Test
  void httpImportsNoGrpcAndNoProto() {
    noClasses()
        .that()
        .resideInAPackage("io.drover.controller.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.grpc..", "io.drover.v1..", "com.google.protobuf..", "io.drover.controller.grpc..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.drover.controller.http"));
  }
}
