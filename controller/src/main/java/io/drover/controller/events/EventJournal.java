package io.drover.controller.events;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent events of this controller, in order, and their live subscribers. Keeps the last {@code
 * capacity} events. A subscriber gets the history it asked for and then every new event, with no
 * gap and no duplicate between the two, because both happen under one lock.
 *
 * <p>Subscribers are called under that lock, so they must only hand the event off (queue it).
 *
 * <p>The events it keeps are {@link Kept} rows, not {@link Event}s: the journal holds {@code
 * capacity} of them (10,000 by default), and a row without the event's {@code Instant} and with its
 * attributes as one array instead of a {@code Map} is about 70 bytes smaller. Reads rebuild equal
 * {@link Event}s.
 */
public final class EventJournal {
  private static final Logger log = LoggerFactory.getLogger("drover.events");

  private final int capacity;
  private final Clock clock;
  private final ArrayDeque<Kept> recent = new ArrayDeque<>();
  private final Set<Consumer<Event>> subscribers = new LinkedHashSet<>();
  private long lastSequence;
  private final List<Consumer<Event>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public EventJournal(int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
    this.clock = clock;
  }

  public Event publish(EventKind kind, String subject, String message) {
    return publish(kind, subject, message, Map.of());
  }

  public Event publish(
      EventKind kind, String subject, String message, Map<String, String> attributes) {
    Event event;
    List<Consumer<Event>> targets;
    synchronized (this) {
      event =
          new Event(
              ++lastSequence, clock.instant(), kind, subject, message, Map.copyOf(attributes));
      recent.addLast(Kept.of(event));
      if (recent.size() > capacity) {
        recent.removeFirst();
      }
      targets = new ArrayList<>(subscribers);
      for (Consumer<Event> subscriber : targets) {
        subscriber.accept(event);
      }
    }
    log.info("{} {}: {}", kind, subject, message);
    for (Consumer<Event> listener : listeners) {
      listener.accept(event);
    }
    return event;
  }

  /** The last {@code count} events, oldest first. */
  public synchronized List<Event> tail(int count) {
    int skip = Math.max(0, recent.size() - count);
    return recent.stream().skip(skip).map(Kept::event).toList();
  }

  /**
   * Replays the requested history to {@code subscriber}, then (if {@code follow}) registers it for
   * every later event.
   *
   * @param afterSequence replay the events after this one; if 0, replay the last {@code tail}
   * @return cancels the subscription; safe to call more than once
   */
  public synchronized Runnable subscribe(
      long afterSequence, int tail, boolean follow, Consumer<Event> subscriber) {
    List<Event> history =
        afterSequence > 0
            ? recent.stream().filter(e -> e.sequence > afterSequence).map(Kept::event).toList()
            : tail(tail);
    history.forEach(subscriber);
    if (!follow) {
      return () -> {};
    }
    subscribers.add(subscriber);
    return () -> unsubscribe(subscriber);
  }

  /**
   * Calls {@code listener} with every later event, after it is published and outside the lock; for
   * in-process observers (metrics), which are not watchers and not counted as subscribers.
   *
   * @return removes the listener
   */
  public Runnable listen(Consumer<Event> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private synchronized void unsubscribe(Consumer<Event> subscriber) {
    subscribers.remove(subscriber);
  }

  public synchronized int subscriberCount() {
    return subscribers.size();
  }

  public synchronized long lastSequence() {
    return lastSequence;
  }

  /**
   * One kept event: its time as seconds and nanoseconds, its attributes as keys and values in turn.
   */
  private static final class Kept {
    private static final String[] NO_ATTRIBUTES = new String[0];

    final long sequence;
    final long seconds;
    final int nanos;
    final EventKind kind;
    final String subject;
    final String message;
    final String[] attributes;

    private Kept(
        long sequence,
        long seconds,
        int nanos,
        EventKind kind,
        String subject,
        String message,
        String[] attributes) {
      this.sequence = sequence;
      this.seconds = seconds;
      this.nanos = nanos;
      this.kind = kind;
      this.subject = subject;
      this.message = message;
      this.attributes = attributes;
    }

    static Kept of(Event e) {
      String[] attributes = NO_ATTRIBUTES;
      if (!e.attributes().isEmpty()) {
        attributes = new String[e.attributes().size() * 2];
        int i = 0;
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
          attributes[i++] = a.getKey();
          attributes[i++] = a.getValue();
        }
      }
      return new Kept(
          e.sequence(),
          e.time().getEpochSecond(),
          e.time().getNano(),
          e.kind(),
          e.subject(),
          e.message(),
          attributes);
    }

    Event event() {
      Map<String, String> map;
      if (attributes.length == 0) {
        map = Map.of();
      } else {
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[attributes.length / 2];
        for (int i = 0; i < entries.length; i++) {
          entries[i] = Map.entry(attributes[2 * i], attributes[2 * i + 1]);
        }
        map = Map.ofEntries(entries);
      }
      return new Event(
          sequence, Instant.ofEpochSecond(seconds, nanos), kind, subject, message, map);
    }
  }
}
