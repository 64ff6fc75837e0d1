package io.drover.controller.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.UnavailableException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointBookTest {
  private final EndpointBook book = new EndpointBook(Clock.systemUTC());
  private final List<EndpointSet> heard = new ArrayList<>();

  private static Endpoint endpoint(String id, int port) {
    return new Endpoint(id, "n1", "node-1", "10.0.0.1", Map.of("http", port), "", Map.of());
  }

  @Test
  void nothingIsKnownUntilTheSchedulerHasSettled() {
    book.watch("orders", heard::add);
    book.publish(Map.of("orders", List.of(endpoint("orders-1", 20000))), Set.of("orders"), false);

    assertThatThrownBy(() -> book.current("orders")).isInstanceOf(UnavailableException.class);
    assertThat(heard).as("a watcher hears nothing before the controller knows").isEmpty();

    book.publish(Map.of("orders", List.of(endpoint("orders-1", 20000))), Set.of("orders"), true);
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).endpoints())
        .extracting(Endpoint::instanceId)
        .containsExactly("orders-1");
    assertThat(book.current("orders").endpoints()).hasSize(1);
  }

  @Test
  void anUnknownServiceIsNotFoundButItsWatchStartsEmptyAndFillsOnceItExists() {
    book.publish(Map.of(), Set.of("hello"), true);
    assertThatThrownBy(() -> book.current("orders"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("orders");

    book.watch("orders", heard::add);
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).inCatalog()).isFalse();
    assertThat(heard.get(0).endpoints()).isEmpty();

    book.publish(Map.of(), Set.of("hello", "orders"), true);
    assertThat(heard).hasSize(2);
    assertThat(heard.get(1).inCatalog()).isTrue();
    assertThat(heard.get(1).endpoints()).isEmpty();

    book.publish(
        Map.of("orders", List.of(endpoint("orders-1", 20000))), Set.of("hello", "orders"), true);
    assertThat(heard).hasSize(3);
    assertThat(heard.get(2).endpoints())
        .extracting(Endpoint::instanceId)
        .containsExactly("orders-1");
    assertThat(heard.get(2).version()).isGreaterThan(heard.get(1).version());
  }

  @Test
  void aWatcherHearsOnlyOfChangesToItsOwnServiceUntilItCancels() {
    book.publish(
        Map.of("orders", List.of(endpoint("orders-1", 20000))), Set.of("orders", "hello"), true);
    Runnable cancel = book.watch("orders", heard::add);
    assertThat(heard).hasSize(1);

    // The same set again, and a change to another service: nothing to say.
    book.publish(
        Map.of(
            "orders", List.of(endpoint("orders-1", 20000)),
            "hello", List.of(endpoint("hello-1", 20001))),
        Set.of("orders", "hello"),
        true);
    assertThat(heard).hasSize(1);
    EndpointSet hello = book.current("hello");
    book.publish(
        Map.of(
            "orders", List.of(endpoint("orders-1", 20000)),
            "hello", List.of(endpoint("hello-1", 20001))),
        Set.of("orders", "hello"),
        true);
    assertThat(book.current("hello"))
        .as("an unchanged set keeps its version and time")
        .isEqualTo(hello);

    book.publish(
        Map.of("orders", List.of(endpoint("orders-1", 20000), endpoint("orders-2", 20002))),
        Set.of("orders", "hello"),
        true);
    assertThat(heard).hasSize(2);
    assertThat(heard.get(1).endpoints()).hasSize(2);

    cancel.run();
    assertThat(book.watches()).isZero();
    book.publish(Map.of(), Set.of("orders", "hello"), true);
    assertThat(heard).hasSize(2);
    assertThat(book.current("orders").endpoints()).isEmpty();
  }
}
