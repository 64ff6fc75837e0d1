package io.drover.controller.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventJournalTest {
  private final EventJournal journal = new EventJournal(5, Clock.systemUTC());

  @Test
  void keepsTheLastEventsInOrder() {
    for (int i = 1; i <= 8; i++) {
      journal.publish(EventKind.NODE_JOINED, "node/n" + i, "joined " + i);
    }
    assertThat(journal.tail(100)).extracting(Event::sequence).containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(journal.tail(2)).extracting(Event::sequence).containsExactly(7L, 8L);
  }

  @Test
  void resumeAfterASequenceNumber() {
    for (int i = 1; i <= 4; i++) {
      journal.publish(EventKind.NODE_JOINED, "node/n" + i, "joined");
    }
    List<Event> got = new ArrayList<>();
    journal.subscribe(2, 0, false, got::add);
    assertThat(got).extracting(Event::sequence).containsExactly(3L, 4L);
  }

  @Test
  void historyThenLiveWithoutGapOrDuplicateUnderConcurrentPublishing() throws Exception {
    EventJournal big = new EventJournal(100_000, Clock.systemUTC());
    CountDownLatch started = new CountDownLatch(1);
    Thread publisher =
        new Thread(
            () -> {
              started.countDown();
              for (int i = 0; i < 20_000; i++) {
                big.publish(EventKind.NODE_JOINED, "node/x", "e");
              }
            });
    publisher.start();
    started.await();
    List<Event> got = new CopyOnWriteArrayList<>();
    Runnable cancel = big.subscribe(0, 100_000, true, got::add);
    publisher.join();
    cancel.run();
    assertThat(got).hasSize(20_000);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).sequence()).isEqualTo(i + 1);
    }
    assertThat(big.subscriberCount()).isZero();
  }

  @Test
  void keptEventsReadBackEqualToThosePublished() {
    EventJournal exact =
        new EventJournal(
            10, Clock.fixed(Instant.parse("2026-12-07T10:15:30.123456789Z"), ZoneOffset.UTC));
    Event placed =
        exact.publish(
            EventKind.INSTANCE_PLACED,
            "instance/orders-1",
            "orders-1 on node-1: warm container c1",
            Map.of("node", "node-1", "container", "c1", "mode", "warm"));
    Event joined = exact.publish(EventKind.NODE_JOINED, "node/node-1", "joined");

    assertThat(exact.tail(10)).containsExactly(placed, joined);
    assertThat(exact.tail(10).get(0).attributes())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("node", "node-1", "container", "c1", "mode", "warm"));
    assertThat(exact.tail(10).get(0).time()).isEqualTo("2026-12-07T10:15:30.123456789Z");
    assertThat(exact.tail(10).get(1).attributes()).isEmpty();
    List<Event> replayed = new ArrayList<>();
    exact.subscribe(1, 0, false, replayed::add);
    assertThat(replayed).containsExactly(joined);
  }
}
