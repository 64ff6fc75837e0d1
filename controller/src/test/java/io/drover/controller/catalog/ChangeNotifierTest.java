package io.drover.controller.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeNotifierTest {
  private static final String ONE =
      "services:\n  - {name: a, artifact: {path: a.jar}, entry: x.A}\n";
  private static final String ONE_REFORMATTED =
      "# same services, written otherwise\nservices:\n  - name: a\n    entry: x.A\n"
          + "    artifact:\n      path: a.jar\n";
  private static final String TWO = ONE + "  - {name: b, artifact: {path: b.jar}, entry: x.B}\n";

  private final RecordingListener listener = new RecordingListener();

  @Test
  void tellsOnlyOfRealChanges() {
    ChangeNotifier notifier =
        new ChangeNotifier("test", listener, Optional.of(CatalogParser.parse("t", ONE)));

    notifier.observed(CatalogParser.parse("t", ONE_REFORMATTED));
    assertThat(listener.changes).isEmpty();

    notifier.observed(CatalogParser.parse("t", TWO));
    assertThat(listener.changes).hasSize(1);
    assertThat(listener.lastChange().services()).hasSize(2);
  }

  @Test
  void tellsOfEachNewProblemOnceAndOfTheRecovery() {
    ChangeNotifier notifier =
        new ChangeNotifier("test", listener, Optional.of(CatalogParser.parse("t", ONE)));
    CatalogException broken = new CatalogException("t:1:1: services: broken");

    notifier.observed(broken);
    notifier.observed(new CatalogException("t:1:1: services: broken"));
    assertThat(listener.problems).containsExactly(broken);

    notifier.observed(new CatalogException("t:2:1: services: broken otherwise"));
    assertThat(listener.problems).hasSize(2);

    notifier.observed(CatalogParser.parse("t", ONE));
    assertThat(listener.changes).hasSize(1);
  }

  @Test
  void withoutACatalogInForceTheFirstValidOneIsAChange() {
    ChangeNotifier notifier = new ChangeNotifier("test", listener, Optional.empty());

    notifier.observed(CatalogParser.parse("t", ONE));

    assertThat(listener.changes).hasSize(1);
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheNotifier() {
    CatalogListener failing =
        new CatalogListener() {
          @Override
          public void onChange(Catalog catalog) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onInvalid(CatalogException problem) {
            throw new IllegalStateException("listener bug");
          }
        };
    ChangeNotifier notifier = new ChangeNotifier("test", failing, Optional.empty());

    notifier.observed(CatalogParser.parse("t", ONE));
    notifier.observed(new CatalogException("t: broken"));
  }
}
