package io.drover.cli.daemon;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a long-running service up until SIGTERM or SIGINT, or until its parent exits. */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopping = new AtomicBoolean();

  private Daemon() {}

  /** Blocks until the process is asked to stop, then closes {@code service}. */
  public static int runUntilStopped(AutoCloseable service, Optional<Long> parentPid)
      throws InterruptedException {
    return runUntilStopped(service, parentPid, service);
  }

  /**
   * Blocks until the process is asked to stop, then closes {@code service}.
   *
   * @param parentPid when set, the process also stops once that process is gone (dev mode uses it
   *     so that nothing outlives a killed {@code drover dev})
   * @param orphaned what to close instead of {@code service} when the parent is gone
   */
  public static int runUntilStopped(
      AutoCloseable service, Optional<Long> parentPid, AutoCloseable orphaned)
      throws InterruptedException {
    Daemon daemon = new Daemon();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> daemon.stop(service), "drover-shutdown"));
    parentPid.ifPresent(
        pid ->
            ProcessHandle.of(pid)
                .ifPresentOrElse(
                    parent ->
                        parent
                            .onExit()
                            .thenRun(
                                () -> {
                                  log.warn("parent process {} exited; stopping", pid);
                                  daemon.stop(orphaned);
                                }),
                    () -> daemon.stop(orphaned)));
    daemon.stopped.await();
    return 0;
  }

  /** Closes {@code what}, once, whoever asks first. */
  private void stop(AutoCloseable what) {
    if (stopping.compareAndSet(false, true)) {
      try {
        what.close();
      } catch (Exception e) {
        log.warn("error while stopping", e);
      } finally {
        stopped.countDown();
      }
    }
  }
}
