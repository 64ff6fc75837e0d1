package io.drover.container;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a container JVM, started by the node agent with the environment described in
 * {@code container_link.proto}. Exit codes: see {@link Exit}.
 */
public final class ContainerMain {
  private ContainerMain() {}

  public static void main(String[] args) {
    ContainerConfig config;
    try {
      config = ContainerConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("drover container: " + e.getMessage());
      System.exit(Exit.ERROR);
      return;
    }
    try {
      ContainerLogging.install(config.log(), config.logMaxBytes());
    } catch (IOException e) {
      System.err.println("drover container: cannot open the log " + config.log() + ": " + e);
      System.exit(Exit.ERROR);
      return;
    }
    try {
      new ContainerRuntime(config).start();
    } catch (RuntimeException | Error e) {
      RuntimeLog.severe("the container could not start", e);
      Exit.halt(Exit.ERROR);
    }
    // The runtime's threads are daemons; this one keeps the JVM up until an exit.
    CountDownLatch never = new CountDownLatch(1);
    while (true) {
      try {
        never.await();
      } catch (InterruptedException e) {
        // Keep waiting: only an exit ends the container.
      }
    }
  }
}
