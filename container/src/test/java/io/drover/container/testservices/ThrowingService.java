package io.drover.container.testservices;

import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;

/** A service whose start fails. */
public final class ThrowingService implements MicroService {
  @Override
  public void start(ServiceContext context) {
    throw new IllegalStateException("cannot reach the database at db:5432");
  }

  @Override
  public void stop() {}
}
