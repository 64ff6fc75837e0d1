package io.drover.cli.daemon;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a long-running service up until SIGTERM or SIGINT, or until its parent exits. */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private Daemon() {}

  /**
   * Blocks until the process is asked to stop, then closes {@code service}.
   *
   * @param parentPid when set, the service also stops once that process is gone (dev mode uses it
   *     so that no agent outlives a killed {@code drover dev})
   */
  public static int runUntilStopped(AutoCloseable service, Optional<Long> parentPid)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            try {
              service.close();
            } catch (Exception e) {
              log.warn("error while stopping", e);
            } finally {
              stopped.countDown();
            }
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "drover-shutdown"));
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
                                  stop.run();
                                }),
                    stop));
    stopped.await();
    return 0;
  }
}
