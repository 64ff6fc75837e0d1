package io.drover.sdk;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;

/**
 * What a {@link MicroService} learns from its container: its name and instance, its ports, its
 * configuration, a metric registry that reaches the controller, and a way to say it is overloaded
 * or failing. Every method is thread-safe and none blocks.
 */
public interface ServiceContext {

  /**
   * The first assigned port.
   *
   * @throws IllegalStateException if the assignment has no port
   */
  int port();

  /**
   * The port assigned under {@code name} ("http", "admin").
   *
   * @throws IllegalArgumentException if no port has that name
   */
  int port(String name);

  /** Every assigned port by name, in the order of the assignment. */
  Map<String, Integer> ports();

  /** The catalog name of the service. */
  String serviceName();

  /** The id of this copy of the service, unique in the cluster. */
  String instanceId();

  /**
   * Metrics of the service. They are flattened and sent to the controller with every container
   * sample: a {@code Timer} named {@code requests} arrives as {@code requests.p50}, {@code
   * requests.p99}, {@code requests.mean} (seconds), {@code requests.rate1m} and {@code
   * requests.count}; a {@code Meter} as {@code .rate1m} and {@code .count}; a {@code Counter} as
   * {@code .count}; a {@code Histogram} as {@code .p99} and {@code .mean}; a numeric {@code Gauge}
   * under its own name.
   */
  MetricRegistry metrics();

  /**
   * Tells the controller the service is overloaded (so that it may add instances). Never blocks; a
   * report made while the agent is unreachable is kept (the latest few) and sent later.
   */
  void reportOverload(String reason);

  /** Reports an error to the controller, counted per instance. Never blocks. */
  void reportError(String error);

  /** Reports an exception as its class name and message. Never blocks. */
  void reportError(Throwable error);

  /**
   * The environment of the assignment. A warm container was started before the service was known,
   * so these variables are not in {@link System#getenv()}: read them here.
   */
  Map<String, String> env();

  /** The arguments of the assignment. */
  List<String> args();

  /**
   * A live view of the READY endpoints of another service, for services that call each other
   * without gRPC (gRPC clients use the {@code drover:///SERVICE} name resolver instead). The first
   * call for a service starts a watch on the controller; later calls return the same view. The view
   * starts empty and fills within moments; a service the catalog does not have yet stays empty
   * until it is applied.
   *
   * <p>A default method, so that stubs of this interface in services' own tests still compile.
   *
   * @throws IllegalStateException if this container was not told where the controller is
   * @throws UnsupportedOperationException in an implementation that offers no discovery
   */
  default Endpoints endpoints(String service) {
    throw new UnsupportedOperationException("this ServiceContext offers no endpoint views");
  }
}
