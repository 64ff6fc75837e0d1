package io.drover.discovery;

import io.drover.v1.ControlGrpc;
import io.drover.v1.ServiceEndpoints;
import io.drover.v1.WatchEndpointsRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the READY endpoints of one service up to date from the controller's {@code WatchEndpoints}.
 * Every message of that stream is a whole set, so the latest one is the view.
 *
 * <p>When the stream ends (the controller restarted, the network broke), the last set stays in
 * force and the watch starts again after a jittered backoff (100 ms doubling to 5 s, back to 100 ms
 * once a set arrives). A restarted controller sends its first set only once its nodes have
 * reported, so the view never empties because of the restart: it converges to the controller's new
 * set.
 *
 * <p>The listener is called on a gRPC thread, one set at a time, in order; it should not block.
 */
public final class EndpointWatch implements AutoCloseable {
  private static final System.Logger log = System.getLogger(EndpointWatch.class.getName());

  static final Duration FIRST_RETRY = Duration.ofMillis(100);
  static final Duration LAST_RETRY = Duration.ofSeconds(5);

  private final ControlGrpc.ControlStub control;
  private final String service;
  private final Consumer<ServiceEndpoints> listener;
  private final ScheduledExecutorService retries;
  private volatile ServiceEndpoints latest;
  private Context.CancellableContext call;
  private long retryMillis = FIRST_RETRY.toMillis();
  private boolean closed;

  /**
   * Starts watching.
   *
   * @param controller a channel to the controller; the caller owns it
   * @param retries where restarts of the watch are scheduled; the caller owns it
   */
  public static EndpointWatch start(
      Channel controller,
      String service,
      ScheduledExecutorService retries,
      Consumer<ServiceEndpoints> listener) {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service: give a service name");
    }
    EndpointWatch watch = new EndpointWatch(controller, service, retries, listener);
    watch.open();
    return watch;
  }

  private EndpointWatch(
      Channel controller,
      String service,
      ScheduledExecutorService retries,
      Consumer<ServiceEndpoints> listener) {
    this.control = ControlGrpc.newStub(controller);
    this.service = service;
    this.retries = retries;
    this.listener = listener;
  }

  /** The last set received; empty until the first one. */
  public Optional<ServiceEndpoints> latest() {
    return Optional.ofNullable(latest);
  }

  public String service() {
    return service;
  }

  private synchronized void open() {
    if (closed) {
      return;
    }
    Context.CancellableContext context = Context.current().withCancellation();
    call = context;
    context.run(
        () ->
            control.watchEndpoints(
                WatchEndpointsRequest.newBuilder().setService(service).build(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServiceEndpoints set) {
                    synchronized (EndpointWatch.this) {
                      if (closed) {
                        return;
                      }
                      retryMillis = FIRST_RETRY.toMillis();
                    }
                    latest = set;
                    listener.accept(set);
                  }

                  @Override
                  public void onError(Throwable error) {
                    ended(Status.fromThrowable(error));
                  }

                  @Override
                  public void onCompleted() {
                    ended(Status.UNAVAILABLE.withDescription("the controller ended the watch"));
                  }
                }));
  }

  private void ended(Status status) {
    long delay;
    synchronized (this) {
      if (closed) {
        return;
      }
      delay = ThreadLocalRandom.current().nextLong(retryMillis / 2, retryMillis + 1);
      retryMillis = Math.min(retryMillis * 2, LAST_RETRY.toMillis());
    }
    log.log(
        System.Logger.Level.DEBUG,
        "watch of {0} ended ({1}); again in {2} ms",
        service,
        status,
        delay);
    retries.schedule(this::open, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    Context.CancellableContext open;
    synchronized (this) {
      closed = true;
      open = call;
    }
    if (open != null) {
      open.cancel(null);
    }
  }
}
