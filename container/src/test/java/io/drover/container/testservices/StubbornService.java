package io.drover.container.testservices;

import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import java.util.concurrent.CountDownLatch;

/**
 * A service that never stops when asked, and with {@code READY=never} in its assignment's env never
 * becomes ready either.
 */
public final class StubbornService implements MicroService {
  private final CountDownLatch never = new CountDownLatch(1);
  private volatile boolean ready;

  @Override
  public void start(ServiceContext context) {
    ready = !"never".equals(context.env().get("READY"));
    System.out.println("stubborn started");
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public void stop() throws InterruptedException {
    System.out.println("stubborn refuses to stop");
    never.await();
  }
}
