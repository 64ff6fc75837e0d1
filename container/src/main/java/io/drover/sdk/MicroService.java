package io.drover.sdk;

/**
 * A service that a Drover container loads and runs. The container creates it with its public
 * no-argument constructor, calls {@link #start(ServiceContext)} on a thread of its own, reports the
 * service RUNNING once {@link #isReady()} is true, and calls {@link #stop()} when the container is
 * released or told to terminate.
 *
 * <p>The class is loaded by a class loader of its own that sees the JDK, this package and {@code
 * com.codahale.metrics} (Dropwizard Metrics) from the container, and everything else from the
 * service's jar; the container's own libraries (gRPC, Netty, protobuf) stay invisible, so a service
 * may bring its own versions.
 */
public interface MicroService {

  /**
   * Starts the service: bind the ports of {@code context}, start threads, return. May block while
   * starting, but the container reports the service FAILED if it is not ready within the start
   * timeout of its assignment. An exception fails the start; the container then exits.
   */
  void start(ServiceContext context) throws Exception;

  /**
   * Stops the service: close the ports, finish or abandon work in progress. Called once, on a
   * container thread, with the grace period of the release as a limit: past it the JVM is halted.
   */
  void stop() throws Exception;

  /**
   * Whether the service can take traffic. Polled every few milliseconds after {@link #start}
   * returns until true; then the container reports it RUNNING.
   */
  default boolean isReady() {
    return true;
  }
}
