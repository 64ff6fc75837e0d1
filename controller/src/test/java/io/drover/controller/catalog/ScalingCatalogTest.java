package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.controller.catalog.ScalingPolicy.Condition;
import io.drover.controller.catalog.ScalingPolicy.Rule;
import io.drover.controller.catalog.ScalingPolicy.Target;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code scaling} section of a service: every field, every default, every rule. */
class ScalingCatalogTest {

  /** A service with the required fields; {@code scaling} goes on line 5, indented as a field. */
  private static String service(String scaling) {
    return """
        services:
          - name: a
            artifact: {path: a.jar}
            entry: x.A
            %s
        """
        .formatted(scaling);
  }

  private static Optional<ScalingPolicy> scaling(String scaling) {
    return CatalogParser.parse("c.yaml", service(scaling)).services().get(0).scaling();
  }

  @Test
  void readsEveryField() {
    String yaml =
        """
        services:
          - name: orders
            artifact: {path: orders.jar}
            entry: x.Orders
            replicas: {min: 2, max: 10}
            scaling:
              interval: 10s
              upStabilization: 15s
              downStabilization: 2m
              upCooldown: 20s
              downCooldown: 1m
              maxStepUp: 2
              maxStepDown: 3
              overload: false
              overloadCooldown: 0s
              targets:
                - {metric: cpu, target: 70}
                - {metric: heap, target: 80}
                - {metric: requests.p99, target: 0.25}
              rules:
                - {metric: requests.rate1m, above: 100, add: 1}
                - {metric: cpu, below: 10, remove: 2}
                - {metric: queue_depth, below: -1.5e1, add: 3}
        """;

    ScalingPolicy policy =
        CatalogParser.parse("c.yaml", yaml).service("orders").orElseThrow().scaling().orElseThrow();

    assertThat(policy)
        .isEqualTo(
            new ScalingPolicy(
                Duration.ofSeconds(10),
                Duration.ofSeconds(15),
                Duration.ofMinutes(2),
                Duration.ofSeconds(20),
                Duration.ofMinutes(1),
                2,
                3,
                false,
                Duration.ZERO,
                List.of(
                    new Target("cpu", 70),
                    new Target("heap", 80),
                    new Target("requests.p99", 0.25)),
                List.of(
                    new Rule("requests.rate1m", Condition.ABOVE, 100, 1),
                    new Rule("cpu", Condition.BELOW, 10, -2),
                    new Rule("queue_depth", Condition.BELOW, -15, 3))));
  }

  @Test
  void fillsEveryDefault() {
    assertThat(scaling("scaling: {targets: [{metric: cpu, target: 70}]}"))
        .contains(
            new ScalingPolicy(
                Duration.ofSeconds(5),
                Duration.ZERO,
                Duration.ofSeconds(60),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                4,
                1,
                true,
                Duration.ofSeconds(5),
                List.of(new Target("cpu", 70)),
                List.of()))
        .contains(ScalingPolicy.of(List.of(new Target("cpu", 70)), List.of()));
  }

  @Test
  void noSectionMeansNoAutoscalingAndAnEmptyOneScalesOnOverload() {
    assertThat(scaling("warmPool: 0")).isEmpty();
    assertThat(scaling("scaling:")).isEmpty();
    assertThat(scaling("scaling: {}")).contains(ScalingPolicy.of(List.of(), List.of()));
    assertThat(
            scaling("scaling: {rules: [{metric: cpu, above: 90, add: 2}]}").orElseThrow().rules())
        .containsExactly(new Rule("cpu", Condition.ABOVE, 90, 2));
  }

  static Stream<Arguments> scalingRules() {
    return Stream.of(
        Arguments.of(
            "scaling: {interval: 500ms}",
            "5:25: services[a].scaling.interval: must be between 1s and 10m, not 500ms"),
        Arguments.of(
            "scaling: {interval: 11m}",
            "5:25: services[a].scaling.interval: must be between 1s and 10m, not 11m"),
        Arguments.of(
            "scaling: {interval: soon}",
            "5:25: services[a].scaling.interval: 'soon' is not a duration such as 500ms, 5s or 2m"),
        Arguments.of(
            "scaling: {upStabilization: 61m}",
            "5:32: services[a].scaling.upStabilization: must be between 0s and 1h, not 61m"),
        Arguments.of(
            "scaling: {downStabilization: 2h}",
            "5:34: services[a].scaling.downStabilization: must be between 0s and 1h, not 2h"),
        Arguments.of(
            "scaling: {upCooldown: -1s}",
            "5:27: services[a].scaling.upCooldown: '-1s' is not a duration such as 500ms, 5s or 2m"),
        Arguments.of(
            "scaling: {downCooldown: 1d}",
            "5:29: services[a].scaling.downCooldown: must be between 0s and 1h, not 1d"),
        Arguments.of(
            "scaling: {overloadCooldown: 90m}",
            "5:33: services[a].scaling.overloadCooldown: must be between 0s and 1h, not 90m"),
        Arguments.of(
            "scaling: {maxStepUp: 0}",
            "5:26: services[a].scaling.maxStepUp: must be between 1 and 1000, not 0"),
        Arguments.of(
            "scaling: {maxStepDown: 1.5}",
            "5:28: services[a].scaling.maxStepDown: expected a whole number, found '1.5'"),
        Arguments.of(
            "scaling: {overload: maybe}",
            "5:25: services[a].scaling.overload: expected true or false, found 'maybe'"),
        Arguments.of(
            "scaling: {overload: false}",
            "5:14: services[a].scaling: scales on nothing: give targets, rules or overload: true"),
        Arguments.of(
            "scaling: {overload: false, targets: [], rules: []}",
            "5:14: services[a].scaling: scales on nothing: give targets, rules or overload: true"),
        Arguments.of(
            "scaling: fast",
            "5:14: services[a].scaling: expected a mapping (key: value), found 'fast'"),
        Arguments.of(
            "scaling: {intervall: 5s}",
            "5:15: services[a].scaling.intervall: unknown key (did you mean interval?); the known"
                + " keys are "
                + String.join(", ", ScalingReader.KEYS)),
        Arguments.of(
            "scaling: {targets: cpu}",
            "5:24: services[a].scaling.targets: expected a list, found 'cpu'"),
        Arguments.of(
            "scaling: {targets: [cpu]}",
            "5:25: services[a].scaling.targets[0]: expected a mapping (key: value), found 'cpu'"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: 0}]}",
            "5:47: services[a].scaling.targets[0].target: must be greater than 0, not 0"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: -5}]}",
            "5:47: services[a].scaling.targets[0].target: must be greater than 0, not -5"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: high}]}",
            "5:47: services[a].scaling.targets[0].target: expected a number such as 70 or 0.25,"
                + " found 'high'"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: .inf}]}",
            "5:47: services[a].scaling.targets[0].target: expected a number such as 70 or 0.25,"
                + " found '.inf'"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu}]}",
            "5:25: services[a].scaling.targets[0].target: missing"),
        Arguments.of(
            "scaling: {targets: [{target: 70}]}",
            "5:25: services[a].scaling.targets[0].metric: missing"),
        Arguments.of(
            "scaling: {targets: [{metric: req-p99, target: 1}]}",
            "5:34: services[a].scaling.targets[0].metric: 'req-p99' is not a metric name: letters,"
                + " digits, '_' and '.'"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: 70, over: 3}]}",
            "5:51: services[a].scaling.targets[0].over: unknown key; the known keys are metric,"
                + " target"),
        Arguments.of(
            "scaling: {targets: [{metric: cpu, target: 70}, {metric: cpu, target: 50}]}",
            "5:61: services[a].scaling.targets[1].metric: 'cpu' already has a target, at"
                + " c.yaml:5:34"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, above: 90, below: 10, add: 1}]}",
            "5:55: services[a].scaling.rules[0].below: give only one of above or below, not both"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, add: 1}]}",
            "5:23: services[a].scaling.rules[0]: needs one of above or below"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, above: 90, add: 1, remove: 1}]}",
            "5:64: services[a].scaling.rules[0].remove: give only one of add or remove, not both"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, above: 90}]}",
            "5:23: services[a].scaling.rules[0]: needs one of add or remove"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, above: 90, add: 0}]}",
            "5:53: services[a].scaling.rules[0].add: must be between 1 and 1000, not 0"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, below: 5, remove: -1}]}",
            "5:55: services[a].scaling.rules[0].remove: must be between 1 and 1000, not -1"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, above: lots, add: 1}]}",
            "5:44: services[a].scaling.rules[0].above: expected a number such as 70 or 0.25, found"
                + " 'lots'"),
        Arguments.of(
            "scaling: {rules: [{metric: 'a b', above: 1, add: 1}]}",
            "5:32: services[a].scaling.rules[0].metric: 'a b' is not a metric name: letters,"
                + " digits, '_' and '.'"),
        Arguments.of(
            "scaling: {rules: [{metric: cpu, abov: 1, add: 1}]}",
            "5:23: services[a].scaling.rules[0]: needs one of above or below\n"
                + "5:37: services[a].scaling.rules[0].abov: unknown key (did you mean above?); the known"
                + " keys are metric, above, below, add, remove"),
        Arguments.of(
            "scaling: {rules: [" + "{metric: cpu, above: 1, add: 1}, ".repeat(17) + "]}",
            "5:22: services[a].scaling.rules: at most 16 items, not 17"));
  }

  @ParameterizedTest
  @MethodSource("scalingRules")
  void reportsEachRuleOfTheSection(String scaling, String problems) {
    List<String> expected = Arrays.stream(problems.split("\n")).map(p -> "c.yaml:" + p).toList();
    assertThatThrownBy(() -> CatalogParser.parse("c.yaml", service(scaling)))
        .isInstanceOfSatisfying(
            CatalogException.class, e -> assertThat(e.problems()).isEqualTo(expected));
  }

  @Test
  void reportsEveryProblemOfTheSectionAtOnce() {
    String yaml =
        """
        services:
          - name: orders
            artifact: {path: orders.jar}
            entry: x.Orders
            scaling:
              interval: 0s
              upCooldown: 2h
              maxStepUp: 0
              overload: sometimes
              targets:
                - metric: cpu
                  target: 0
                - {metric: p-99, target: 1}
              rules:
                - {metric: cpu, above: 90}
                - {metric: cpu, below: 5, remove: 1, add: 1}
              cooldown: 5s
        """;

    assertThatThrownBy(() -> CatalogParser.parse("catalog.yaml", yaml))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "catalog.yaml:6:17: services[orders].scaling.interval: must be between 1s"
                            + " and 10m, not 0s",
                        "catalog.yaml:7:19: services[orders].scaling.upCooldown: must be between 0s"
                            + " and 1h, not 2h",
                        "catalog.yaml:8:18: services[orders].scaling.maxStepUp: must be between 1"
                            + " and 1000, not 0",
                        "catalog.yaml:9:17: services[orders].scaling.overload: expected true or"
                            + " false, found 'sometimes'",
                        "catalog.yaml:12:19: services[orders].scaling.targets[0].target: must be"
                            + " greater than 0, not 0",
                        "catalog.yaml:13:20: services[orders].scaling.targets[1].metric: 'p-99' is"
                            + " not a metric name: letters, digits, '_' and '.'",
                        "catalog.yaml:15:11: services[orders].scaling.rules[0]: needs one of add or"
                            + " remove",
                        "catalog.yaml:16:51: services[orders].scaling.rules[1].add: give only one of"
                            + " add or remove, not both",
                        "catalog.yaml:17:7: services[orders].scaling.cooldown: unknown key (did you mean"
                            + " upCooldown?); the"
                            + " known keys are "
                            + String.join(", ", ScalingReader.KEYS)));
  }

  @Test
  void aBadScalingSectionLeavesTheRestOfTheServiceChecked() {
    assertThatThrownBy(
            () ->
                CatalogParser.parse(
                    "c.yaml",
                    service(
                        "scaling: {maxStepUp: 0}\n    warmPool: -1\n    replicas: {min: 3, max: 2}")))
        .isInstanceOfSatisfying(
            CatalogException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "c.yaml:5:26: services[a].scaling.maxStepUp: must be between 1 and 1000,"
                            + " not 0",
                        "c.yaml:6:15: services[a].warmPool: must be between 0 and 1000, not -1",
                        "c.yaml:7:29: services[a].replicas.max: must be at least min (3), not 2"));
  }

  @Test
  void theContentHashSeesEveryValueButNotTheOrderOfTargetsAndRules() {
    String base =
        service(
            "scaling: {targets: [{metric: cpu, target: 70}, {metric: heap, target: 80}],"
                + " rules: [{metric: x, above: 1, add: 1}, {metric: y, below: 1, remove: 1}]}");
    String hash = CatalogParser.parse("c.yaml", base).contentHash();
    String without = CatalogParser.parse("c.yaml", service("warmPool: 0")).contentHash();

    assertThat(hash).isNotEqualTo(without);
    assertThat(hashOf(base.replace("target: 70", "target: 71"))).isNotEqualTo(hash);
    assertThat(hashOf(base.replace("add: 1", "add: 2"))).isNotEqualTo(hash);
    assertThat(hashOf(base.replace("above: 1", "below: 1"))).isNotEqualTo(hash);
    assertThat(hashOf(base.replace("scaling: {", "scaling: {overload: false, ")))
        .isNotEqualTo(hash);
    assertThat(hashOf(base.replace("scaling: {", "scaling: {interval: 6s, "))).isNotEqualTo(hash);
    assertThat(hashOf(base.replace("scaling: {", "scaling: {interval: 5s, "))).isEqualTo(hash);
    assertThat(
            hashOf(
                service(
                    "scaling: {targets: [{metric: heap, target: 80}, {metric: cpu, target: 70}],"
                        + " rules: [{metric: y, below: 1, remove: 1}, {metric: x, above: 1, add:"
                        + " 1}]}")))
        .isEqualTo(hash);
    assertThat(hashOf(service("scaling:"))).isEqualTo(without);
  }

  private static String hashOf(String yaml) {
    return CatalogParser.parse("c.yaml", yaml).contentHash();
  }

  @Test
  void survivesTheDatabaseRowForm() {
    String yaml =
        service(
            """
            scaling:
                  interval: 10s
                  overload: false
                  targets: [{metric: requests.p99, target: 0.25}]
                  rules: [{metric: cpu, below: 10, remove: 1}]""");
    CatalogParser.Parsed parsed = CatalogParser.parseDocument("c.yaml", yaml);

    CatalogRows.Rows rows = CatalogRows.toRows(parsed.tree());

    assertThat(rows.services().get(0).spec())
        .contains("scaling:", "target: 0.25", "overload: false");
    assertThat(CatalogRows.toCatalog(rows)).isEqualTo(parsed.catalog());
  }
}
