package io.drover.testing;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 stand-in for grpc-testing's JUnit 4 {@code GrpcCleanupRule}: channels and servers
 * registered during a test are shut down, newest first, after it, and their termination awaited.
 *
 * <pre>{@code @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();}
 * </pre>
 */
public final class GrpcCleanupExtension implements AfterEachCallback {
  private final Deque<Object> resources = new ArrayDeque<>();

  public synchronized <T extends ManagedChannel> T register(T channel) {
    resources.push(channel);
    return channel;
  }

  public synchronized <T extends Server> T register(T server) {
    resources.push(server);
    return server;
  }

  /**
   * Closes {@code resource} after everything registered later: register an event loop group before
   * the servers and channels that run on it, since a server whose loop is gone never finishes
   * closing.
   */
  public synchronized void registerCloseable(AutoCloseable resource) {
    resources.push(resource);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Deque<Object> toClose;
    synchronized (this) {
      toClose = new ArrayDeque<>(resources);
      resources.clear();
    }
    for (Object resource : toClose) {
      if (resource instanceof ManagedChannel channel) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      } else if (resource instanceof Server server) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      } else if (resource instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }
}
