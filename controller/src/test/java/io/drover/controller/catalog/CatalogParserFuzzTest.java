package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any text given to the catalog parser either reads as a catalog or is refused with a {@link
 * CatalogException} naming where; never any other exception, never a hang. Plain {@code ./mvnw
 * verify} runs the seed corpus ({@code CatalogParserFuzzTestInputs/}); docs/ACCESS.md says how to
 * fuzz for longer.
 */
class CatalogParserFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parseAnyText(byte[] input) {
    String yaml = new String(input, java.nio.charset.StandardCharsets.UTF_8);
    try {
      Catalog catalog = CatalogParser.parse("fuzz.yaml", yaml);
      assertThat(catalog.services().size()).isLessThanOrEqualTo(CatalogRules.MAX_SERVICES);
    } catch (CatalogException expected) {
      assertThat(expected.getMessage()).startsWith("fuzz.yaml");
    }
  }
}
