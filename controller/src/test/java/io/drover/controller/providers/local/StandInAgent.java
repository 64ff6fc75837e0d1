package io.drover.controller.providers.local;

import java.util.concurrent.CountDownLatch;

/**
 * What the local provider starts in its contract test instead of a real agent: a JVM whose command
 * line holds " agent " and that runs until it is killed. The provider's lifecycle (slots, pid
 * files, killing the process tree) is what the contract checks; a real agent is the e2e tests'.
 */
public final class StandInAgent {
  private StandInAgent() {}

  public static void main(String[] args) throws InterruptedException {
    new CountDownLatch(1).await();
  }
}
