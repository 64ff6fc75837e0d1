package io.drover.controller.grpc;

import com.google.protobuf.ByteString;
import io.drover.common.grpc.StatusMapping;
import io.drover.controller.logs.LogSink;
import io.drover.controller.logs.LogSubscription;
import io.drover.v1.LogChunk;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;

/**
 * The single writer of one {@code StreamLogs} call, and the flow control of the log behind it.
 * Pieces from the agent wait here and are written only while the call {@link
 * ServerCallStreamObserver#isReady() is ready}; each one written gives the agent one more credit.
 * The agent runs at most a window ahead, so the queue never holds more than that. Nothing blocks:
 * the agent stream's callbacks and gRPC's on-ready handler both just drain.
 */
final class LogChunkWriter implements LogSink {
  private final ServerCallStreamObserver<LogChunk> call;
  private final ArrayDeque<LogChunk> queue = new ArrayDeque<>();
  private LogSubscription subscription;

  /** Chunks written before the subscription was known: credit owed to the agent. */
  private int owed;

  private Status ending;
  private boolean done;
  private boolean cancelled;

  LogChunkWriter(ServerCallStreamObserver<LogChunk> call) {
    this.call = call;
    call.setOnReadyHandler(this::drain);
    call.setOnCancelHandler(this::cancelled);
  }

  /** The log is open: credits and a cancel now reach its agent. */
  void attach(LogSubscription opened) {
    int credit;
    boolean cancel;
    synchronized (this) {
      subscription = opened;
      credit = owed;
      owed = 0;
      cancel = cancelled;
    }
    if (cancel) {
      opened.cancel();
    } else if (credit > 0) {
      opened.passedOn(credit);
    }
  }

  @Override
  public void chunk(String containerId, byte[] data) {
    synchronized (this) {
      if (done) {
        return;
      }
      queue.addLast(
          LogChunk.newBuilder()
              .setContainerId(containerId)
              .setData(ByteString.copyFrom(data))
              .build());
    }
    drain();
  }

  @Override
  public void ended(String reason) {
    synchronized (this) {
      if (done || ending != null) {
        return;
      }
      if (!reason.isEmpty()) {
        queue.addLast(LogChunk.newBuilder().setEndReason(reason).build());
      }
      ending = Status.OK;
    }
    drain();
  }

  @Override
  public void failed(RuntimeException error) {
    fail(StatusMapping.toStatus(error));
  }

  /** Ends the call with {@code status} once what the agent sent before is written. */
  void fail(Status status) {
    synchronized (this) {
      if (done || ending != null) {
        return;
      }
      ending = status;
    }
    drain();
  }

  private void cancelled() {
    LogSubscription open;
    synchronized (this) {
      cancelled = true;
      done = true;
      queue.clear();
      open = subscription;
    }
    if (open != null) {
      open.cancel();
    }
  }

  private void drain() {
    int written = 0;
    LogSubscription open;
    synchronized (this) {
      try {
        while (!done && call.isReady() && !queue.isEmpty()) {
          LogChunk next = queue.pollFirst();
          call.onNext(next);
          if (!next.getData().isEmpty()) {
            written++;
          }
        }
        if (!done && ending != null && queue.isEmpty()) {
          done = true;
          if (ending.isOk()) {
            call.onCompleted();
          } else {
            call.onError(ending.asRuntimeException());
          }
        }
      } catch (IllegalStateException | io.grpc.StatusRuntimeException closed) {
        // The call was cancelled between isReady() and onNext(); the cancel handler follows.
        done = true;
        queue.clear();
      }
      open = subscription;
      if (open == null) {
        owed += written;
      }
    }
    // After the end this reaches no agent: the session drops credits of logs no longer open.
    if (open != null && written > 0) {
      open.passedOn(written);
    }
  }
}
