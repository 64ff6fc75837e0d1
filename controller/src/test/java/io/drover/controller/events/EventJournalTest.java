package io.drover.controller.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
}
