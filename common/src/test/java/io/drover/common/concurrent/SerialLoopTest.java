package io.drover.common.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialLoopTest {

  @Test
  void runsEachCallersWorkInOrderOnOneThread() throws Exception {
    int callers = 4;
    int tasks = 20_000;
    Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    try (SerialLoop loop = new SerialLoop("test-loop")) {
      List<Thread> producers = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int caller = c;
        List<Integer> mine = new ArrayList<>(); // only the loop's thread touches it
        seen.put(caller, mine);
        producers.add(
            new Thread(
                () -> {
                  for (int i = 0; i < tasks; i++) {
                    int n = i;
                    loop.run(
                        () -> {
                          mine.add(n);
                          if (n == 0) {
                            threads.add(Thread.currentThread().getName());
                          }
                          done.incrementAndGet();
                        });
                  }
                }));
      }
      producers.forEach(Thread::start);
      for (Thread t : producers) {
        t.join();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == callers * tasks);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        expected.add(i);
      }
      for (List<Integer> mine : seen.values()) {
        assertThat(loop.call(() -> List.copyOf(mine)).get()).isEqualTo(expected);
      }
      assertThat(threads).containsOnly("test-loop");
    }
  }

  @Test
  void aFailingTaskDoesNotStopTheLoop() throws Exception {
    try (SerialLoop loop = new SerialLoop("test-loop")) {
      loop.run(
          () -> {
            throw new IllegalStateException("boom");
          });
      assertThat(loop.call(() -> "still running").get()).isEqualTo("still running");
    }
  }

  @Test
  void timersRunWhileTheQueueIsBusy() {
    AtomicInteger fired = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    try (SerialLoop loop = new SerialLoop("test-loop")) {
      loop.schedule(Duration.ofMillis(20), fired::incrementAndGet);
      // Keeps the queue full for longer than the timer's delay.
      Runnable[] again = new Runnable[1];
      again[0] =
          () -> {
            if (ran.incrementAndGet() < 2_000_000 && fired.get() == 0) {
              loop.run(again[0]);
            }
          };
      loop.run(again[0]);
      await().atMost(Duration.ofSeconds(10)).until(() -> fired.get() == 1);
      assertThat(ran.get()).isLessThan(2_000_000);
    }
  }

  @Test
  void workAfterCloseIsDropped() {
    AtomicInteger ran = new AtomicInteger();
    SerialLoop loop = new SerialLoop("test-loop");
    loop.close();
    loop.run(ran::incrementAndGet);
    assertThat(ran.get()).isZero();
    assertThat(loop.call(() -> 1)).isNotDone();
  }
}
