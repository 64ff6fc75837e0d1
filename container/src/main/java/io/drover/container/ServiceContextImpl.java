package io.drover.container;

import com.codahale.metrics.MetricRegistry;
import io.drover.sdk.Endpoints;
import io.drover.sdk.ServiceContext;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceAssignment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The {@link ServiceContext} of one assignment; reports go to the agent through the runtime. */
final class ServiceContextImpl implements ServiceContext {
  /** Reasons and errors longer than this are cut: they are one-line summaries, not logs. */
  static final int MAX_REPORT_CHARS = 2048;

  /** Where the service's reports go; never blocks. */
  interface Reports {
    void overload(String reason);

    void error(String error);
  }

  private final ServiceAssignment assignment;
  private final Map<String, Integer> ports;
  private final MetricRegistry metrics;
  private final Reports reports;
  private final Function<String, Endpoints> discovery;

  /**
   * @param discovery the live view of another service's endpoints
   */
  ServiceContextImpl(
      ServiceAssignment assignment,
      MetricRegistry metrics,
      Reports reports,
      Function<String, Endpoints> discovery) {
    this.assignment = assignment;
    this.discovery = discovery;
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (PortBinding binding : assignment.getPortsList()) {
      byName.putIfAbsent(binding.getName(), binding.getPort());
    }
    this.ports = Collections.unmodifiableMap(byName);
    this.metrics = metrics;
    this.reports = reports;
  }

  @Override
  public int port() {
    if (assignment.getPortsCount() == 0) {
      throw new IllegalStateException("instance " + instanceId() + " was assigned no port");
    }
    return assignment.getPorts(0).getPort();
  }

  @Override
  public int port(String name) {
    Integer port = ports.get(name);
    if (port == null) {
      throw new IllegalArgumentException(
          "instance "
              + instanceId()
              + " has no port named '"
              + name
              + "'; it has "
              + ports.keySet());
    }
    return port;
  }

  @Override
  public Map<String, Integer> ports() {
    return ports;
  }

  @Override
  public String serviceName() {
    return assignment.getService();
  }

  @Override
  public String instanceId() {
    return assignment.getInstanceId();
  }

  @Override
  public MetricRegistry metrics() {
    return metrics;
  }

  @Override
  public void reportOverload(String reason) {
    reports.overload(oneLine(reason));
  }

  @Override
  public void reportError(String error) {
    reports.error(oneLine(error));
  }

  @Override
  public void reportError(Throwable error) {
    reports.error(oneLine(describe(error)));
  }

  @Override
  public Map<String, String> env() {
    return assignment.getEnvMap();
  }

  @Override
  public List<String> args() {
    return assignment.getArgsList();
  }

  @Override
  public Endpoints endpoints(String service) {
    return discovery.apply(service);
  }

  /** An exception as one line: its class and message. */
  static String describe(Throwable error) {
    if (error == null) {
      return "null";
    }
    String message = error.getMessage();
    return error.getClass().getName() + (message == null ? "" : ": " + message);
  }

  static String oneLine(String text) {
    String line = String.valueOf(text).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    return line.length() <= MAX_REPORT_CHARS ? line : line.substring(0, MAX_REPORT_CHARS) + "...";
  }
}
