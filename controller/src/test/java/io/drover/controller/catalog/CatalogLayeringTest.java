package io.drover.controller.catalog;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The catalog is domain code: no transport, no wire format. */
class CatalogLayeringTest {
  @Test
  void catalogImportsNoGrpcAndNoProto() {
    noClasses()
        .that()
        .resideInAPackage("io.drover.controller.catalog..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "io.drover.v1..", "com.google.protobuf..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.drover.controller.catalog"));
  }
}
