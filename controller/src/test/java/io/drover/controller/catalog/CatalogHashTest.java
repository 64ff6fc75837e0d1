package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatalogHashTest {
  private static final String CATALOG =
      """
      profiles:
        small: {heapMb: 64}
        large: {heapMb: 1024}
      services:
        - name: a
          artifact: {path: a.jar}
          entry: x.A
          env: {X: "1", Y: "2"}
        - name: b
          artifact: {path: b.jar}
          entry: x.B
          profile: small
      """;

  private static String hash(String yaml) {
    return CatalogParser.parse("t", yaml).contentHash();
  }

  @Test
  void isTheSameForTheSameContentWrittenInAnotherOrder() {
    String reordered =
        """
        # reordered, with defaults written out
        services:
          - name: b
            profile: small
            entry: x.B
            artifact: {path: b.jar}
          - name: a
            entry: x.A
            mode: warm
            env: {Y: "2", X: "1"}
            artifact: {path: a.jar}
        profiles:
          large: {heapMb: 1024}
          small: {heapMb: 64}
        """;

    assertThat(hash(reordered)).isEqualTo(hash(CATALOG));
  }

  @Test
  void changesWithAnyValue() {
    String base = hash(CATALOG);

    assertThat(hash(CATALOG.replace("heapMb: 64", "heapMb: 65"))).isNotEqualTo(base);
    assertThat(hash(CATALOG.replace("Y: \"2\"", "Y: \"3\""))).isNotEqualTo(base);
    assertThat(hash(CATALOG.replace("entry: x.B", "entry: x.C"))).isNotEqualTo(base);
    assertThat(hash(CATALOG + "    args: [a, b]\n"))
        .isNotEqualTo(hash(CATALOG + "    args: [b, a]\n"));
  }

  @Test
  void isStableAcrossRunsAndVersions() {
    // Pinned: a change here changes every stored hash, and must be deliberate.
    assertThat(hash(CATALOG)).isEqualTo(PINNED).hasSize(64);
  }

  private static final String PINNED =
      "dc4cbe03192bf805377ef728f085ee4a7b274342f01cc93e98d64f39ec3e19ab";
}
