package io.drover.agent.metrics;

import io.drover.agent.grpc.LinkStatus;
import io.drover.common.http.HttpResponse;
import io.drover.common.metrics.GaugeFamily;
import io.drover.common.metrics.Metrics;
import io.drover.common.metrics.MetricsConfig;
import io.drover.common.metrics.MetricsPublisher;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's metrics: its containers by state, its warm pool, its link to the controller and its
 * own JVM. The node's and the containers' measurements travel to the controller, which exports them
 * with labels; the agent does not repeat them.
 */
public final class AgentMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentMetrics.class);

  private final Metrics metrics = new Metrics();
  private final Supplier<List<ContainerReport>> containers;
  private final MetricsPublisher publisher;
  private final GaugeFamily byState;
  private final GaugeFamily warmByProfile;
  private volatile int warm;

  /**
   * @param containers the supervisor's latest reports
   * @param link the link's state
   * @param logStreams how many instance logs the agent reads for the controller now
   */
  public AgentMetrics(
      MetricsConfig config,
      Supplier<List<ContainerReport>> containers,
      Supplier<LinkStatus> link,
      IntSupplier logStreams) {
    this.containers = containers;
    this.byState =
        metrics.gaugeFamily("drover.agent.containers", "containers of this node by state", "state");
    this.warmByProfile =
        metrics.gaugeFamily(
            "drover.agent.warm_pool.idle",
            "IDLE containers of this node waiting for a service, by JVM profile",
            "profile");
    metrics.gauge(
        "drover.agent.warm_pool.size",
        "IDLE containers of this node waiting for a service (its warm pool)",
        () -> warm);
    metrics.gauge(
        "drover.agent.link.connected",
        "1 while the link to the controller is open and welcomed, else 0",
        () -> link.get().connected() ? 1 : 0);
    metrics.gauge(
        "drover.agent.link.session_epoch",
        "session epoch of the current (or last) session with the controller",
        () -> link.get().sessionEpoch());
    metrics.gauge(
        "drover.agent.link.state_seconds",
        "seconds since the link last connected or disconnected",
        () -> Math.max(0, Duration.between(link.get().since(), Instant.now()).toSeconds()));
    metrics.gauge(
        "drover.agent.log_streams",
        "instance logs this agent reads for the controller now (drover logs)",
        logStreams::getAsInt);
    this.publisher = new MetricsPublisher(metrics, config, "drover.agent", this::refresh);
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Whether {@code /metrics} is served. */
  public boolean prometheusEnabled() {
    return publisher.prometheusEnabled();
  }

  /** {@code GET /metrics}: refreshed, in the Prometheus text format. */
  public HttpResponse scrape() {
    return publisher.scrape();
  }

  public void reportNow() {
    publisher.reportNow();
  }

  private synchronized void refresh() {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (ContainerState s : ContainerState.values()) {
      if (s != ContainerState.CONTAINER_STATE_UNSPECIFIED && s != ContainerState.UNRECOGNIZED) {
        counts.put(List.of(state(s)), 0);
      }
    }
    Map<List<String>, Integer> idle = new HashMap<>();
    int idleTotal = 0;
    for (ContainerReport c : containers.get()) {
      counts.merge(List.of(state(c.getState())), 1, Integer::sum);
      if (c.getState() == ContainerState.CONTAINER_STATE_IDLE && c.getInstanceId().isEmpty()) {
        idle.merge(List.of(c.getProfile().getName()), 1, Integer::sum);
        idleTotal++;
      }
    }
    byState.set(counts);
    warmByProfile.set(idle);
    warm = idleTotal;
  }

  /** {@code CONTAINER_STATE_IDLE} becomes {@code IDLE}. */
  private static String state(ContainerState s) {
    return s.name().replace("CONTAINER_STATE_", "").toUpperCase(Locale.ROOT);
  }

  @Override
  public void close() {
    publisher.close();
  }
}
