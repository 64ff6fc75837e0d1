package io.drover.container;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The container's exit codes, and the one way out of the JVM. */
public final class Exit {
  /** Released, or terminated by a signal, and the service stopped within its grace period. */
  public static final int OK = 0;

  /** Unexpected: bad environment, a bug. */
  public static final int ERROR = 1;

  /** The agent refused the attach (UNAUTHENTICATED): wrong container id or secret. */
  public static final int UNAUTHENTICATED = 2;

  /** The service failed to load, start or become ready in time; reported FAILED. */
  public static final int SERVICE_FAILED = 3;

  /** An IDLE container could not attach within DROVER_ATTACH_TIMEOUT. */
  public static final int ATTACH_TIMEOUT = 4;

  /** The service did not stop within its grace period; the JVM was halted. */
  public static final int STOP_TIMEOUT = 5;

  private Exit() {}

  /**
   * Exits with {@code code}: shutdown hooks (the service's included) run, and the JVM is halted if
   * they take longer than {@code hooksMillis}. Never returns.
   */
  public static void exit(int code, long hooksMillis) {
    RuntimeLog.info("exiting with code " + code);
    ContainerLogging.flush();
    Thread watchdog =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hooksMillis);
              long left;
              while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
              }
              RuntimeLog.warning(
                  "shutdown hooks still running after " + hooksMillis + " ms; halting");
              halt(code);
            },
            "drover-exit-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    System.exit(code);
  }

  /** Stops the JVM now, without shutdown hooks. */
  public static void halt(int code) {
    ContainerLogging.flush();
    Runtime.getRuntime().halt(code);
  }
}
