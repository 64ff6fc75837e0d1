package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CatalogParserTest {
  private static final String SHA =
      "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";

  @Test
  void readsEveryField() {
    Catalog catalog =
        CatalogParser.parse(
            "catalog.yaml",
            """
            profiles:
              small: {heapMb: 64, flags: [-XX:+UseSerialGC]}
              big:
                java: /opt/jdk-21
                heapMb: 2048
            services:
              - name: hello
                artifact: {path: examples/target/drover-examples.jar, sha256: %s}
                entry: io.drover.examples.hello.HelloService
                mode: cold
                profile: small
                resources: {memoryMb: 256, cpuMillis: 500}
                replicas: {min: 1, max: 4, initial: 2}
                ports: [http, admin]
                health: {type: http, path: /healthz, port: admin, interval: 5s, timeout: 500ms}
                env: {GREETING: hi, COUNT: 3}
                args: [--verbose, "2"]
                systemProperties: {user.timezone: UTC}
                warmPool: 2
                gracePeriod: 30s
                startTimeout: 2m
              - name: fetched
                artifact: {url: "https://repo.example/app.jar"}
                entry: com.example.Main
                profile: big
                resources: {memoryMb: 4096}
              - name: stored
                artifact: {blob: %s}
                entry: com.example.Main
                ports: []
            """
                .formatted(SHA, SHA));

    assertThat(catalog.profiles().keySet()).containsExactly("default", "small", "big");
    assertThat(catalog.profiles().get("small"))
        .isEqualTo(new JvmProfileSpec("small", Optional.empty(), 64, List.of("-XX:+UseSerialGC")));
    assertThat(catalog.profiles().get("big"))
        .isEqualTo(new JvmProfileSpec("big", Optional.of("/opt/jdk-21"), 2048, List.of()));

    ServiceSpec hello = catalog.service("hello").orElseThrow();
    assertThat(hello.artifact())
        .isEqualTo(
            new ArtifactRef(
                ArtifactRef.Kind.PATH, "examples/target/drover-examples.jar", Optional.of(SHA)));
    assertThat(hello.entry()).isEqualTo("io.drover.examples.hello.HelloService");
    assertThat(hello.mode()).isEqualTo(StartMode.COLD);
    assertThat(hello.profile()).isEqualTo("small");
    assertThat(catalog.profileOf(hello).heapMb()).isEqualTo(64);
    assertThat(hello.resources()).isEqualTo(new Resources(256, 500));
    assertThat(hello.replicas()).isEqualTo(new Replicas(1, 4, 2));
    assertThat(hello.ports()).containsExactly("http", "admin");
    assertThat(hello.health())
        .isEqualTo(
            new HealthCheck(
                HealthCheck.Type.HTTP,
                Optional.of("/healthz"),
                Optional.of("admin"),
                Duration.ofSeconds(5),
                Duration.ofMillis(500)));
    assertThat(hello.env()).containsExactly(Map.entry("GREETING", "hi"), Map.entry("COUNT", "3"));
    assertThat(hello.args()).containsExactly("--verbose", "2");
    assertThat(hello.systemProperties()).containsExactly(Map.entry("user.timezone", "UTC"));
    assertThat(hello.warmPool()).isEqualTo(2);
    assertThat(hello.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(hello.startTimeout()).isEqualTo(Duration.ofMinutes(2));

    assertThat(catalog.service("fetched").orElseThrow().artifact())
        .isEqualTo(
            new ArtifactRef(
                ArtifactRef.Kind.URL, "https://repo.example/app.jar", Optional.empty()));
    ServiceSpec stored = catalog.service("stored").orElseThrow();
    assertThat(stored.artifact())
        .isEqualTo(new ArtifactRef(ArtifactRef.Kind.BLOB, SHA, Optional.of(SHA)));
    assertThat(stored.ports()).isEmpty();
    assertThat(stored.health().type()).isEqualTo(HealthCheck.Type.READY);
    assertThat(stored.health().port()).isEmpty();
    assertThat(catalog.service("nope")).isEmpty();
  }

  @Test
  void fillsEveryDefault() {
    Catalog catalog =
        CatalogParser.parse(
            "c.yaml",
            """
            services:
              - name: a
                artifact: {path: a.jar}
                entry: x.A
            """);

    assertThat(catalog.profiles()).containsExactly(Map.entry("default", JvmProfileSpec.DEFAULT));
    assertThat(JvmProfileSpec.DEFAULT.heapMb()).isEqualTo(128);
    assertThat(JvmProfileSpec.DEFAULT.flags())
        .containsExactly("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    assertThat(catalog.services())
        .containsExactly(
            new ServiceSpec(
                "a",
                new ArtifactRef(ArtifactRef.Kind.PATH, "a.jar", Optional.empty()),
                "x.A",
                StartMode.WARM,
                "default",
                new Resources(128, 250),
                new Replicas(1, 1, 1),
                List.of("http"),
                new HealthCheck(
                    HealthCheck.Type.TCP,
                    Optional.empty(),
                    Optional.of("http"),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1)),
                Map.of(),
                List.of(),
                Map.of(),
                0,
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                Optional.empty(),
                RecoveryPolicy.DEFAULT));
  }

  @Test
  void recoveryPoliciesAreReadAndCheckedFieldByField() {
    ServiceSpec spec =
        CatalogParser.parse(
                "c.yaml",
                service(
                    "recovery: {errorThreshold: 3, errorWindow: 30s, onErrors: unhealthy,"
                        + " crashThreshold: 2}"))
            .services()
            .get(0);
    assertThat(spec.recovery())
        .isEqualTo(
            new RecoveryPolicy(
                3,
                Duration.ofSeconds(30),
                RecoveryPolicy.ErrorAction.UNHEALTHY,
                2,
                Duration.ofMinutes(5)));
    assertThatThrownBy(
            () ->
                CatalogParser.parse(
                    "c.yaml", service("recovery: {onErrors: reboot, crashThreshold: 0}")))
        .hasMessageContaining(
            "services[a].recovery.onErrors: must be one of restart, replace, unhealthy, not"
                + " 'reboot'")
        .hasMessageContaining("services[a].recovery.crashThreshold: must be between 1 and");
  }

  @Test
  void replicasDefaultFromEachOther() {
    assertThat(replicas("{min: 3}")).isEqualTo(new Replicas(3, 3, 3));
    assertThat(replicas("{initial: 4}")).isEqualTo(new Replicas(1, 4, 4));
    assertThat(replicas("{min: 2, max: 5}")).isEqualTo(new Replicas(2, 5, 2));
    assertThat(replicas("{min: 0}")).isEqualTo(new Replicas(0, 0, 0));
  }

  private static Replicas replicas(String replicas) {
    return CatalogParser.parse("c.yaml", service("replicas: " + replicas))
        .services()
        .get(0)
        .replicas();
  }

  @Test
  void aCatalogMayOverrideTheDefaultProfile() {
    Catalog catalog =
        CatalogParser.parse(
            "c.yaml",
            """
            profiles:
              default: {heapMb: 256}
            services: []
            """);

    assertThat(catalog.profiles())
        .containsExactly(
            Map.entry("default", new JvmProfileSpec("default", Optional.empty(), 256, List.of())));
    assertThat(catalog.services()).isEmpty();
  }

  /** A service with the required fields; {@code extra} goes on line 5, indented as a field. */
  private static String service(String extra) {
    return """
        services:
          - name: a
            artifact: {path: a.jar}
            entry: x.A
            %s
        """
        .formatted(extra);
  }

  static Stream<Arguments> serviceRules() {
    return Stream.of(
        Arguments.of(
            "replicas: {min: 3, max: 2}",
            "5:29: services[a].replicas.max: must be at least min (3), not 2"),
        Arguments.of(
            "replicas: {min: 2, initial: 1}",
            "5:33: services[a].replicas.initial: must be at least min (2), not 1"),
        Arguments.of(
            "replicas: {max: 2, initial: 3}",
            "5:33: services[a].replicas.initial: must be at most max (2), not 3"),
        Arguments.of(
            "replicas: {max: 1001}",
            "5:21: services[a].replicas.max: must be between 0 and 1000, not 1001"),
        Arguments.of(
            "replicas: {min: -1}",
            "5:21: services[a].replicas.min: must be between 0 and 1000, not -1"),
        Arguments.of(
            "replicas: {min: two}",
            "5:21: services[a].replicas.min: expected a whole number, found 'two'"),
        Arguments.of(
            "profile: big",
            "5:14: services[a].profile: no profile 'big'; the profiles are default"),
        Arguments.of(
            "profile: Big",
            "5:14: services[a].profile: 'Big' is not a valid name: " + CatalogRules.NAME_RULE),
        Arguments.of(
            "health: {type: http}",
            "5:13: services[a].health.path: missing; an http check needs a path such as /healthz"),
        Arguments.of(
            "health: {type: http, path: healthz}",
            "5:32: services[a].health.path: must start with /, not 'healthz'"),
        Arguments.of(
            "health: {path: /healthz}",
            "5:20: services[a].health.path: only an http check has a path"),
        Arguments.of(
            "health: {port: admin}",
            "5:20: services[a].health.port: 'admin' is not one of the ports (http)"),
        Arguments.of(
            "health: {type: ready, port: http}",
            "5:33: services[a].health.port: a ready check probes no port"),
        Arguments.of(
            "health: {type: grpc}",
            "5:20: services[a].health.type: must be one of tcp, http, ready, not 'grpc'"),
        Arguments.of(
            "health: {type: tcp}\n    ports: []",
            "5:20: services[a].health.type: tcp checks need a port, and the service has none"),
        Arguments.of(
            "health: {interval: 0s}",
            "5:24: services[a].health.interval: must be positive, not 0s"),
        Arguments.of(
            "health: {timeout: 5}",
            "5:23: services[a].health.timeout: '5' is not a duration such as 500ms, 5s or 2m"),
        Arguments.of(
            "health: {interval: 1s, timeout: 2s}",
            "5:37: services[a].health.timeout: must not be longer than the interval (1s)"),
        Arguments.of(
            "gracePeriod: 0ms", "5:18: services[a].gracePeriod: must be positive, not 0ms"),
        Arguments.of(
            "startTimeout: 2d", "5:19: services[a].startTimeout: must be at most 1d, not 2d"),
        Arguments.of("ports: [http, http]", "5:19: services[a].ports[1]: 'http' is listed twice"),
        Arguments.of(
            "ports: [HTTP]",
            "5:13: services[a].ports[0]: 'HTTP' is not a valid name: " + CatalogRules.NAME_RULE),
        Arguments.of(
            "ports: [p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf, pg]",
            "5:12: services[a].ports: at most 16 items, not 17"),
        Arguments.of(
            "mode: lukewarm", "5:11: services[a].mode: must be one of warm, cold, not 'lukewarm'"),
        Arguments.of(
            "warmPool: -1", "5:15: services[a].warmPool: must be between 0 and 1000, not -1"),
        Arguments.of(
            "resources: {memoryMb: 64}",
            "5:27: services[a].resources.memoryMb: 64 MiB is less than the 128 MiB heap of profile 'default'"),
        Arguments.of(
            "resources: {cpuMillis: 0}",
            "5:28: services[a].resources.cpuMillis: must be between 1 and 1000000, not 0"),
        Arguments.of(
            "env: {1ST: x}",
            "5:11: services[a].env.1ST: not a valid name: letters, digits and '_', not starting with a digit"),
        Arguments.of(
            "env: {A: }", "5:11: services[a].env.A: has no value; write \"\" for an empty one"),
        Arguments.of(
            "env: [A]", "5:10: services[a].env: expected a mapping (name: value), found a list"),
        Arguments.of(
            "args: [[nested]]", "5:12: services[a].args[0]: expected a single value, found a list"),
        Arguments.of(
            "systemProperties: {-x: y}",
            "5:24: services[a].systemProperties.-x: not a valid name: letters, digits, '_', '$', '.' and '-', not starting with '.' or '-'"),
        Arguments.of(
            "args: [" + "x".repeat(1025) + "]",
            "5:12: services[a].args[0]: at most 1024 characters, not 1025"),
        Arguments.of(
            "helth: {type: tcp}",
            "5:5: services[a].helth: unknown key (did you mean health?); the known keys are "
                + String.join(", ", ServiceReader.KEYS)),
        Arguments.of(
            "replicas: {minimum: 1}",
            "5:16: services[a].replicas.minimum: unknown key; the known keys are min, max, initial"));
  }

  @ParameterizedTest
  @MethodSource("serviceRules")
  void reportsEachRuleOfAService(String extra, String problem) {
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", service(extra)))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e -> assertThat(e.problems()).containsExactly("c.yaml:" + problem));
  }

  static Stream<Arguments> artifactRules() {
    String upper = SHA.toUpperCase();
    return Stream.of(
        Arguments.of("{}", "3:15: services[a].artifact: needs one of path, url or blob"),
        Arguments.of(
            "{path: a.jar, url: 'https://x.example/a.jar'}",
            "3:34: services[a].artifact.url: give only one of path, url or blob, not path and url"),
        Arguments.of(
            "{url: 'http://x.example/a.jar'}",
            "3:21: services[a].artifact.url: must be an https:// URL, not 'http://x.example/a.jar'"),
        Arguments.of(
            "{url: 'a.jar'}",
            "3:21: services[a].artifact.url: must be an https:// URL, not 'a.jar'"),
        Arguments.of(
            "{blob: abc}",
            "3:22: services[a].artifact.blob: must be a SHA-256 as 64 lowercase hex digits, not 'abc'"),
        Arguments.of(
            "{path: a.jar, sha256: " + upper + "}",
            "3:37: services[a].artifact.sha256: must be a SHA-256 as 64 lowercase hex digits, not '"
                + upper
                + "'"),
        Arguments.of(
            "{blob: " + SHA + ", sha256: " + "0".repeat(64) + "}",
            "3:96: services[a].artifact.sha256: differs from the blob, whose name is its sha256"),
        Arguments.of(
            "a.jar", "3:15: services[a].artifact: expected a mapping (key: value), found 'a.jar'"));
  }

  @ParameterizedTest
  @MethodSource("artifactRules")
  void reportsEachRuleOfAnArtifact(String artifact, String problem) {
    String yaml =
        """
        services:
          - name: a
            artifact: %s
            entry: x.A
        """
            .formatted(artifact);
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", yaml))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e -> assertThat(e.problems()).containsExactly("c.yaml:" + problem));
  }

  @Test
  void reportsEveryProblemAtOnceInTheOrderOfTheFile() {
    String yaml =
        """
        profiles:
          small: {heapMb: 8, flags: [UseSerialGC, -Xmx1g]}
          Huge: {}
        services:
          - name: hello
            artifact: {path: a.jar}
            entry: io.drover.Hello
            replicas: {min: 1, max: 4, initial: 5}
            helth: {type: http}
          - name: Bad Name
            entry: 3x
            artifact: {path: b.jar}
          - artifact: {path: c.jar}
            entry: x.C
          - name: hello
            artifact: {path: d.jar}
            entry: x.D
            profile: medium
        """;

    assertThatThrownBy(() -> CatalogParser.parse("catalog.yaml", yaml))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "catalog.yaml:2:19: profiles.small.heapMb: must be between 16 and 1048576, not 8",
                        "catalog.yaml:2:30: profiles.small.flags[0]: 'UseSerialGC' is not a JVM flag: flags start with '-'",
                        "catalog.yaml:2:43: profiles.small.flags[1]: set the heap with heapMb, not -Xmx1g",
                        "catalog.yaml:3:3: profiles.Huge: 'Huge' is not a valid name: "
                            + CatalogRules.NAME_RULE,
                        "catalog.yaml:8:41: services[hello].replicas.initial: must be at most max (4), not 5",
                        "catalog.yaml:9:5: services[hello].helth: unknown key (did you mean health?); the known keys are "
                            + String.join(", ", ServiceReader.KEYS),
                        "catalog.yaml:10:11: services[1].name: 'Bad Name' is not a valid name: "
                            + CatalogRules.NAME_RULE,
                        "catalog.yaml:11:12: services[1].entry: '3x' is not a Java class name such as com.example.HelloService",
                        "catalog.yaml:13:5: services[2].name: missing",
                        "catalog.yaml:15:11: services[hello].name: 'hello' is already the name of the service at catalog.yaml:5:11",
                        "catalog.yaml:18:14: services[hello].profile: no profile 'medium'; the profiles are default, small, Huge"));
  }

  @Test
  void givesTheLineAndColumnOfASyntaxError() {
    assertThatThrownBy(
            () -> CatalogParser.parse("c.yaml", "services:\n  - name: [a, b\n    entry: x\n"))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "c.yaml:3:10: not valid YAML: while parsing a flow sequence; expected ',' or ']', but got :"));
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", "services:\n\t- name: a\n"))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e -> assertThat(e.problems().get(0)).startsWith("c.yaml:2:1: not valid YAML: "));
  }

  @Test
  void rejectsWhatYamlWouldAcceptSilently() {
    String yaml =
        """
        services:
          - &base
            name: a
            name: b
            artifact: {path: a.jar}
            entry: x.A
          - *base
        ---
        services: []
        """;
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", yaml))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "c.yaml:4:5: key 'name' is written twice (first at c.yaml:3:5)",
                        "c.yaml:7:5: aliases (*base) are not supported; write the value out",
                        "c.yaml:7:5: services[1]: expected a mapping (key: value), found 'base'",
                        "c.yaml:9:1: a catalog is one YAML document; remove the second one (after ---)"));
  }

  @Test
  void anEmptyCatalogMustSaySo() {
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", "# nothing yet\n"))
        .hasMessage(
            "c.yaml:1:1: services: missing: the catalog is empty; write services: [] for a catalog"
                + " that runs nothing");
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", "profiles: {}\n"))
        .hasMessage(
            "c.yaml:1:1: services: missing; write services: [] for a catalog that runs nothing");
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", "- a\n"))
        .hasMessage(
            "c.yaml:1:1: the catalog must be a mapping with the keys profiles and services, not a"
                + " list");
    assertThat(CatalogParser.parse("c.yaml", "services: []\n").services()).isEmpty();
  }

  @Test
  void limitsTheSizeOfTheFileAndTheNumberOfServices() {
    String big = "services: []\n#" + "x".repeat(CatalogRules.MAX_SOURCE_BYTES);
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", big))
        .hasMessageStartingWith("c.yaml: more than 1048590 bytes; a catalog holds at most 1 MiB");
    String multiByte = "services: []\n#" + "é".repeat(CatalogRules.MAX_SOURCE_BYTES / 2);
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", multiByte))
        .hasMessage("c.yaml: 1048590 bytes; a catalog holds at most 1 MiB (1048576 bytes)");

    StringBuilder many = new StringBuilder("services:\n");
    for (int i = 0; i <= CatalogRules.MAX_SERVICES; i++) {
      many.append("  - {name: s").append(i).append(", artifact: {path: a.jar}, entry: x.A}\n");
    }
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", many.toString()))
        .hasMessage("c.yaml:2:3: services: at most 1000 services, not 1001");
  }

  @Test
  void namesAServiceByItsIndexWhenItHasNoValidName() {
    String yaml =
        """
        services:
          - name: ok
            artifact: {path: a.jar}
            entry: x.A
          - name: -bad-
            artifact: {path: a.jar}
            entry: x.A
            warmPool: lots
        """;
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", yaml))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "c.yaml:5:11: services[1].name: '-bad-' is not a valid name: "
                            + CatalogRules.NAME_RULE,
                        "c.yaml:8:15: services[1].warmPool: expected a whole number, found 'lots'"));
  }

  @Test
  void capsTheNumberOfProblemsReported() {
    StringBuilder yaml = new StringBuilder("services:\n");
    for (int i = 0; i < 150; i++) {
      yaml.append("  - {name: s").append(i).append(", entry: x.A}\n");
    }
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", yaml.toString()))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e -> {
              assertThat(e.problems()).hasSize(Problems.MAX_REPORTED + 1);
              assertThat(e.problems()).last().isEqualTo("... and 50 more problems");
            });
  }
}
