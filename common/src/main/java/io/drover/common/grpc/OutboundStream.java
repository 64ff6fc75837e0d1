package io.drover.common.grpc;

import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import java.util.ArrayDeque;

/**
 * The single writer of one gRPC stream. {@code StreamObserver} is not thread-safe and a stream must
 * not be written faster than the peer reads, so every outbound message goes through here: messages
 * wait in a bounded queue and are written only while the transport {@link
 * CallStreamObserver#isReady() is ready}; the rest is written from the on-ready handler.
 *
 * <p>Samples that only matter in their latest form (telemetry) go through {@link
 * #sendLatest(Object)}: while the peer is slow, a newer sample replaces the unsent one instead of
 * piling up.
 *
 * <p>Nothing here blocks: callers on any thread, stream callbacks included, may send.
 *
 * @param <T> the message type
 */
public final class OutboundStream<T> {
  private final CallStreamObserver<T> observer;
  private final int capacity;
  private final ArrayDeque<T> queue = new ArrayDeque<>();
  private T latest;
  private boolean completing;
  private Status finalStatus = Status.OK;
  private boolean terminated;

  private OutboundStream(CallStreamObserver<T> observer, int capacity) {
    this.observer = observer;
    this.capacity = capacity;
  }

  /**
   * Takes over writing to {@code observer} and installs its on-ready handler. Call it where the
   * handler may still be set: in {@code beforeStart} on a client, in the service method on a
   * server. On a client, send only once the call has started (after the stub call returns).
   */
  public static <T> OutboundStream<T> attach(CallStreamObserver<T> observer, int capacity) {
    OutboundStream<T> stream = new OutboundStream<>(observer, capacity);
    observer.setOnReadyHandler(stream::drain);
    return stream;
  }

  /**
   * Queues a message that must not be lost.
   *
   * @return false if the stream has ended or its queue is full; the caller decides what a slow peer
   *     means (usually: end the stream and let the peer resynchronise).
   */
  public boolean send(T message) {
    synchronized (this) {
      if (terminated || completing || queue.size() >= capacity) {
        return false;
      }
      queue.addLast(message);
    }
    drain();
    return true;
  }

  /** Queues a sample that replaces any sample not yet written. */
  public void sendLatest(T sample) {
    synchronized (this) {
      if (terminated || completing) {
        return;
      }
      latest = sample;
    }
    drain();
  }

  /** Ends the stream normally once everything queued is written. */
  public void complete() {
    finish(Status.OK);
  }

  /**
   * Ends the stream once everything queued is written: with OK it completes, with any other status
   * it fails. Unlike {@link #fail(Status)}, the peer first gets all it was promised.
   */
  public void finish(Status status) {
    synchronized (this) {
      if (terminated || completing) {
        return;
      }
      completing = true;
      finalStatus = status;
    }
    drain();
  }

  /** Ends the stream now with an error; queued messages are dropped. */
  public void fail(Status status) {
    synchronized (this) {
      if (terminated) {
        return;
      }
      terminated = true;
      queue.clear();
      latest = null;
    }
    try {
      observer.onError(status.asRuntimeException());
    } catch (IllegalStateException alreadyClosed) {
      // The call ended under us (cancelled by the peer); nothing is left to tell it.
    }
  }

  /** Marks the stream ended from outside (the peer went away); later sends are refused. */
  public synchronized void terminated() {
    terminated = true;
    queue.clear();
    latest = null;
  }

  public synchronized boolean isTerminated() {
    return terminated;
  }

  /** Messages waiting for the transport, the pending sample included. */
  public synchronized int backlog() {
    return queue.size() + (latest == null ? 0 : 1);
  }

  private synchronized void drain() {
    // Holding the lock while writing keeps one writer; onNext only buffers and never blocks.
    try {
      while (!terminated && observer.isReady()) {
        T next = queue.pollFirst();
        if (next == null) {
          next = latest;
          latest = null;
        }
        if (next == null) {
          break;
        }
        observer.onNext(next);
      }
      if (completing && !terminated && queue.isEmpty() && latest == null) {
        terminated = true;
        if (finalStatus.isOk()) {
          observer.onCompleted();
        } else {
          observer.onError(finalStatus.asRuntimeException());
        }
      }
    } catch (IllegalStateException | io.grpc.StatusRuntimeException closed) {
      // The call was cancelled or closed between isReady() and onNext().
      terminated = true;
      queue.clear();
      latest = null;
    }
  }
}
