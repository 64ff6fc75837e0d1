package io.drover.container.testservices;

import io.drover.sdk.MicroService;
import io.drover.sdk.ServiceContext;
import java.util.List;

/**
 * Tries, from inside a service, to load classes of the container runtime (which it must not see)
 * and of the SDK and the JDK (which it must). Prints one line per class; fails its start if it can
 * see the runtime, so a RUNNING container proves the isolation.
 */
public final class IsolationProbeService implements MicroService {
  static final List<String> HIDDEN =
      List.of(
          "io.grpc.ManagedChannel",
          "io.grpc.netty.shaded.io.netty.channel.Channel",
          "com.google.protobuf.Message",
          "io.drover.v1.ServiceAssignment",
          "io.drover.container.ContainerMain",
          "io.drover.common.retry.Backoff",
          "org.slf4j.Logger");
  static final List<String> VISIBLE =
      List.of(
          "io.drover.sdk.ServiceContext",
          "com.codahale.metrics.Timer",
          "java.sql.Connection",
          "com.sun.net.httpserver.HttpServer");

  @Override
  public void start(ServiceContext context) {
    ClassLoader own = IsolationProbeService.class.getClassLoader();
    System.out.println("isolation: service loader " + own);
    for (String name : HIDDEN) {
      if (canLoad(name, own) || canLoad(name, Thread.currentThread().getContextClassLoader())) {
        throw new IllegalStateException(name + " is visible to the service");
      }
      System.out.println("isolation: " + name + " hidden");
    }
    for (String name : VISIBLE) {
      if (!canLoad(name, own)) {
        throw new IllegalStateException(name + " is not visible to the service");
      }
      System.out.println("isolation: " + name + " visible");
    }
    if (own.getResource("io/grpc/ManagedChannel.class") != null) {
      throw new IllegalStateException("the gRPC class files are visible as resources");
    }
  }

  @Override
  public void stop() {}

  private static boolean canLoad(String name, ClassLoader loader) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
