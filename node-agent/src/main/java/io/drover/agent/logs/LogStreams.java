package io.drover.agent.logs;

import com.google.protobuf.ByteString;
import io.drover.v1.LogData;
import io.drover.v1.LogEnd;
import io.drover.v1.OpenLog;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the controller's requests for instance logs ({@code OpenLog}): each log is read by a
 * thread of its own, which sends at most the granted number of chunks ahead of the controller
 * ({@code LogCredit}) and stops on {@code CancelLog}, at the end of the tail, or when the instance
 * is gone. Callers (the link's thread) never wait.
 */
public final class LogStreams implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogStreams.class);

  /** Largest piece of a log in one message. */
  public static final int CHUNK_BYTES = 32 * 1024;

  /** Logs read at once; more are refused rather than adding threads without bound. */
  static final int MAX_STREAMS = 32;

  /** Largest window a controller may grant: the agent's outbound queue must never fill up. */
  static final int MAX_WINDOW = 16;

  /** How often a followed log and the instance's container are looked at when nothing is new. */
  static final Duration POLL = Duration.ofMillis(200);

  private final InstanceLogs logs;
  private final Map<Long, LogStream> streams = new ConcurrentHashMap<>();

  public LogStreams(InstanceLogs logs) {
    this.logs = logs;
  }

  /**
   * Starts reading a log; every message for it goes to {@code out}, the last one with its end. An
   * open with the id of a running stream replaces it.
   */
  public void open(OpenLog request, Consumer<LogData> out) {
    long id = request.getStreamId();
    LogStream earlier = streams.remove(id);
    if (earlier != null) {
      earlier.cancel();
    }
    if (streams.size() >= MAX_STREAMS) {
      out.accept(
          end(
              id,
              LogEnd.Reason.REASON_BUSY,
              "this node already serves " + MAX_STREAMS + " logs; try again later"));
      return;
    }
    LogStream stream = new LogStream(request, out);
    streams.put(id, stream);
    Thread thread = new Thread(stream, "drover-log-" + id);
    thread.setDaemon(true);
    thread.start();
  }

  /** The controller passed on {@code chunks} more chunks of this log. */
  public void credit(long streamId, int chunks) {
    LogStream stream = streams.get(streamId);
    if (stream != null) {
      stream.credit(chunks);
    }
  }

  /** The client went away: stop reading this log. */
  public void cancel(long streamId) {
    LogStream stream = streams.remove(streamId);
    if (stream != null) {
      stream.cancel();
    }
  }

  /** The controller's session ended: nothing can reach it, so every log stops. */
  public void cancelAll() {
    for (Long id : streams.keySet()) {
      cancel(id);
    }
  }

  /** Logs being read now. */
  public int active() {
    return streams.size();
  }

  @Override
  public void close() {
    cancelAll();
  }

  static LogData end(long streamId, LogEnd.Reason reason, String message) {
    return LogData.newBuilder()
        .setStreamId(streamId)
        .setEnd(LogEnd.newBuilder().setReason(reason).setMessage(message))
        .build();
  }

  /** One log being read, on its own thread. */
  private final class LogStream implements Runnable {
    private final OpenLog request;
    private final Consumer<LogData> out;
    private int credits;
    private boolean cancelled;

    LogStream(OpenLog request, Consumer<LogData> out) {
      this.request = request;
      this.out = out;
      this.credits = Math.min(MAX_WINDOW, Math.max(1, request.getWindow()));
    }

    synchronized void credit(int chunks) {
      credits += chunks;
      notifyAll();
    }

    synchronized void cancel() {
      cancelled = true;
      notifyAll();
    }

    private synchronized boolean cancelled() {
      return cancelled;
    }

    @Override
    public void run() {
      String instance = request.getInstanceId();
      try {
        Optional<InstanceLogs.Location> found = logs.locate(instance, request.getContainerId());
        if (found.isEmpty()) {
          finish(
              LogEnd.Reason.REASON_NOT_FOUND,
              "no container of this node runs instance " + instance);
          return;
        }
        InstanceLogs.Location location = found.get();
        LogTailer tailer = openTailer(location, request.getTailLines());
        while (tailer == null) {
          if (!request.getFollow() || !location.live()) {
            finish(
                LogEnd.Reason.REASON_NO_LOG,
                "instance "
                    + instance
                    + " has no log yet: its container "
                    + location.containerId()
                    + " has not written one");
            return;
          }
          if (!pause()) {
            return;
          }
          Optional<InstanceLogs.Location> now = logs.locate(instance, location.containerId());
          if (now.isEmpty() || !now.get().live()) {
            finish(LogEnd.Reason.REASON_INSTANCE_GONE, gone(instance));
            return;
          }
          location = now.get();
          tailer = openTailer(location, request.getTailLines());
        }
        follow(tailer, location);
      } catch (IOException | RuntimeException e) {
        log.warn("reading the log of instance {} failed", instance, e);
        finish(
            LogEnd.Reason.REASON_FAILED,
            "reading the log of instance " + instance + " failed: " + e.getMessage());
      } finally {
        streams.remove(request.getStreamId(), this);
      }
    }

    private void follow(LogTailer first, InstanceLogs.Location firstLocation) throws IOException {
      LogTailer tailer = first;
      InstanceLogs.Location location = firstLocation;
      String instance = request.getInstanceId();
      try {
        while (true) {
          byte[] chunk = tailer.next();
          if (chunk != null) {
            if (!send(location.containerId(), chunk)) {
              return;
            }
            continue;
          }
          if (!request.getFollow() || !location.live()) {
            if (!send(location.containerId(), tailer.rest())) {
              return;
            }
            if (request.getFollow()) {
              finish(LogEnd.Reason.REASON_INSTANCE_GONE, gone(instance));
            } else {
              finish(LogEnd.Reason.REASON_COMPLETE, "");
            }
            return;
          }
          Optional<InstanceLogs.Location> now = logs.locate(instance, location.containerId());
          if (now.isEmpty()
              || !now.get().live()
              || !now.get().containerId().equals(location.containerId())) {
            // Gone, or restarted in place in a new container: first all the old one wrote.
            drain(tailer, location);
            if (now.isEmpty() || !now.get().live()) {
              finish(LogEnd.Reason.REASON_INSTANCE_GONE, gone(instance));
              return;
            }
            LogTailer next = openTailer(now.get(), Integer.MAX_VALUE);
            if (next != null) {
              tailer.close();
              tailer = next;
              location = now.get();
              continue;
            }
          }
          if (!pause()) {
            return;
          }
        }
      } finally {
        tailer.close();
      }
    }

    /** Sends what is left of a log whose writer has stopped. */
    private void drain(LogTailer tailer, InstanceLogs.Location location) throws IOException {
      for (byte[] chunk = tailer.next(); chunk != null; chunk = tailer.next()) {
        if (!send(location.containerId(), chunk)) {
          return;
        }
      }
      send(location.containerId(), tailer.rest());
    }

    private LogTailer openTailer(InstanceLogs.Location location, int tailLines) throws IOException {
      try {
        return LogTailer.open(location.file(), tailLines, CHUNK_BYTES);
      } catch (NoSuchFileException e) {
        return null;
      }
    }

    /**
     * Sends a chunk once the controller has room for it.
     *
     * @return false if the stream was cancelled meanwhile
     */
    private boolean send(String containerId, byte[] data) {
      if (data.length == 0) {
        return !cancelled();
      }
      synchronized (this) {
        while (credits == 0 && !cancelled) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelled = true;
          }
        }
        if (cancelled) {
          return false;
        }
        credits--;
      }
      out.accept(
          LogData.newBuilder()
              .setStreamId(request.getStreamId())
              .setContainerId(containerId)
              .setData(ByteString.copyFrom(data))
              .build());
      return true;
    }

    /**
     * Waits for the log to grow, or for a cancel.
     *
     * @return false if the stream was cancelled
     */
    private synchronized boolean pause() {
      if (!cancelled) {
        try {
          wait(POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          cancelled = true;
        }
      }
      return !cancelled;
    }

    private void finish(LogEnd.Reason reason, String message) {
      if (!cancelled()) {
        out.accept(end(request.getStreamId(), reason, message));
      }
    }
  }

  private static String gone(String instance) {
    return "instance " + instance + " no longer runs on this node; end of its log";
  }
}
