package io.drover.controller.instances;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.discovery.Endpoint;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An instance keeps its times and ports compactly and gives them back as they were. */
class InstanceTest {
  private static final Instant CREATED = Instant.parse("2026-12-07T10:15:30.123456789Z");

  @Test
  void timesComeBackExactlyAndOnlyOnceSet() {
    Instance instance = new Instance("orders-1", "orders", CREATED);
    assertThat(instance.createdAt()).isEqualTo(CREATED);
    assertThat(instance.placedAt()).isEmpty();
    assertThat(instance.view().readyAt()).isEmpty();
    assertThat(instance.view().restartAt()).isEmpty();

    Instant placed = CREATED.plusNanos(1);
    Instant ready = CREATED.plusSeconds(2);
    Instant restartAt = CREATED.plusSeconds(60);
    instance.placed("n1", "c1", Map.of("http", 20000), placed);
    instance.ready(42, ready);
    assertThat(instance.placedAt()).contains(placed);
    assertThat(instance.view().readyAt()).contains(ready);
    assertThat(instance.view().createdAt()).isEqualTo(CREATED);

    instance.restarting(1, restartAt, "crashed");
    assertThat(instance.view().restartAt()).contains(restartAt);
    instance.restarted("c2", 1);
    assertThat(instance.view().restartAt()).isEmpty();
    assertThat(new Instance("x-1", "x", Instant.EPOCH).createdAt()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void portsKeepTheirOrderAndAreSharedWithViewsAndEndpoints() {
    Map<String, Integer> assigned = new LinkedHashMap<>();
    assigned.put("http", 20001);
    assigned.put("admin", 20000);
    assigned.put("debug", 20002);
    Instance instance = new Instance("orders-1", "orders", CREATED);
    instance.placed("n1", "c1", assigned, CREATED);
    assigned.clear();

    assertThat(instance.ports().keySet()).containsExactly("http", "admin", "debug");
    assertThat(instance.view().ports()).isSameAs(instance.ports());
    Endpoint endpoint =
        new Endpoint("orders-1", "n1", "node-1", "10.0.0.1", instance.ports(), "", Map.of());
    assertThat(endpoint.ports()).isSameAs(instance.ports());
    assertThat(endpoint.firstPort()).isEqualTo(20001);

    instance.pending("waiting for placement");
    assertThat(instance.ports()).isEmpty();
  }

  @Test
  void whatFewInstancesHaveReadsAsItsDefaultUntilSetAndAsSetAfter() {
    Instance instance = new Instance("orders-1", "orders", CREATED);
    instance.restarts(0);
    instance.lastError("");
    instance.leaving(false);
    instance.replacing("");
    instance.avoidNode("");
    assertThat(instance.restarts()).isZero();
    assertThat(instance.view().lastError()).isEmpty();
    assertThat(instance.leaving()).isFalse();
    assertThat(instance.replacing()).isEmpty();
    assertThat(instance.avoidNode()).isEmpty();

    instance.replacing("orders-0");
    instance.avoidNode("n2");
    instance.leaving(true);
    instance.restarting(3, CREATED.plusSeconds(5), "exit 1");
    assertThat(instance.replacing()).isEqualTo("orders-0");
    assertThat(instance.avoidNode()).isEqualTo("n2");
    assertThat(instance.leaving()).isTrue();
    assertThat(instance.restarts()).isEqualTo(3);
    assertThat(instance.view().lastError()).isEqualTo("exit 1");
    assertThat(instance.view().reason()).isEqualTo("exit 1");
    assertThat(instance.view().state()).isEqualTo(InstanceState.RESTARTING);

    instance.restarted("c2", 3);
    instance.leaving(false);
    instance.lastError("timeout");
    assertThat(instance.view().restartAt()).isEmpty();
    assertThat(instance.view().lastError()).isEqualTo("timeout");
    assertThat(instance.leaving()).isFalse();
    instance.failed("lost with node n1");
    assertThat(instance.view().lastError()).isEqualTo("lost with node n1");
    assertThat(instance.view().restarts()).isEqualTo(3);
  }
}
