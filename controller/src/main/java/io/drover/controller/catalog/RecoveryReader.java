package io.drover.controller.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads the {@code recovery} section of a service; every field has a default. */
final class RecoveryReader {
  static final List<String> KEYS =
      List.of("errorThreshold", "errorWindow", "onErrors", "crashThreshold", "crashWindow");

  private static final Duration MIN_WINDOW = Duration.ofSeconds(1);
  private static final Duration MAX_WINDOW = Duration.ofDays(1);
  private static final int MAX_THRESHOLD = 10_000;

  private RecoveryReader() {}

  /** The policy of the service whose fields are {@code service}; empty when it has problems. */
  static Optional<RecoveryPolicy> read(Fields service) {
    return service.mapping("recovery", KEYS).flatMap(RecoveryReader::policy);
  }

  private static Optional<RecoveryPolicy> policy(Fields r) {
    RecoveryPolicy d = RecoveryPolicy.DEFAULT;
    Optional<Integer> errorThreshold =
        r.integer("errorThreshold", d.errorThreshold(), 1, MAX_THRESHOLD);
    Optional<Duration> errorWindow =
        r.duration("errorWindow", d.errorWindow(), MIN_WINDOW, MAX_WINDOW);
    Optional<RecoveryPolicy.ErrorAction> onErrors =
        r.choice("onErrors", RecoveryPolicy.ErrorAction.class, d.onErrors());
    Optional<Integer> crashThreshold =
        r.integer("crashThreshold", d.crashThreshold(), 1, MAX_THRESHOLD);
    Optional<Duration> crashWindow =
        r.duration("crashWindow", d.crashWindow(), MIN_WINDOW, MAX_WINDOW);
    if (errorThreshold.isEmpty()
        || errorWindow.isEmpty()
        || onErrors.isEmpty()
        || crashThreshold.isEmpty()
        || crashWindow.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RecoveryPolicy(
            errorThreshold.get(),
            errorWindow.get(),
            onErrors.get(),
            crashThreshold.get(),
            crashWindow.get()));
  }
}
