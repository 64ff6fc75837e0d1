package io.drover.controller.metrics;

import com.codahale.metrics.Timer;
import io.drover.common.http.HttpResponse;
import io.drover.common.metrics.GaugeFamily;
import io.drover.common.metrics.Metrics;
import io.drover.common.metrics.MetricsConfig;
import io.drover.common.metrics.MetricsPublisher;
import io.drover.common.metrics.ReadTimeGauges;
import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.events.Event;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.instances.InstanceState;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.nodes.TelemetrySample;
import io.drover.controller.scheduling.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's metrics: what it holds (nodes, instances, port pools, agent streams) observed
 * through gauges, what it decides (placements, scale decisions) counted from its events, how long
 * its reconcile passes take and how late telemetry arrives, and the nodes' and containers' own
 * numbers re-exported with node, service and instance labels. The gauges are refreshed before every
 * Prometheus scrape or report, and every two seconds while JMX or a scheduled reporter is on; the
 * per-container series are produced at each scrape or report from the scheduler's container table
 * and not kept in between (see {@link ReadTimeGauges}).
 */
public final class ControllerMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerMetrics.class);

  private final Metrics metrics = new Metrics();
  private final NodeRegistry nodes;
  private final Scheduler scheduler;
  private final Clock clock;
  private final MetricsPublisher publisher;
  private final Runnable unsubscribe;

  private final GaugeFamily nodesByState;
  private final GaugeFamily instancesByState;
  private final GaugeFamily freePorts;
  private final GaugeFamily nodeCpu;
  private final GaugeFamily nodeMemoryUsed;
  private final GaugeFamily nodeMemoryAvailable;
  private final GaugeFamily nodeMemoryTotal;
  private final ReadTimeGauges.Family containerCpu;
  private final ReadTimeGauges.Family containerRss;
  private final ReadTimeGauges.Family containerHeapUsed;
  private final ReadTimeGauges.Family containerHeapMax;
  private final ReadTimeGauges.Family serviceMetrics;
  private final Timer telemetryLag;
  private final Timer reconcile;
  private volatile int openStreams;

  public ControllerMetrics(
      MetricsConfig config,
      NodeRegistry nodes,
      Scheduler scheduler,
      EventJournal events,
      Clock clock) {
    this.nodes = nodes;
    this.scheduler = scheduler;
    this.clock = clock;
    this.nodesByState =
        metrics.gaugeFamily(
            "drover.nodes", "nodes by state, as the failure detector sees them", "state");
    this.instancesByState = metrics.gaugeFamily("drover.instances", "instances by state", "state");
    this.freePorts =
        metrics.gaugeFamily(
            "drover.ports.free", "instance ports free to hand out in the node's pool", "node");
    metrics.gauge(
        "drover.agent_streams.open",
        "agent streams open (sessions welcomed and not closed)",
        () -> openStreams);
    this.telemetryLag =
        metrics.timer(
            "drover.telemetry.lag",
            "from an agent's telemetry sample to its arrival at the controller (the two clocks"
                + " differ by their skew)");
    this.reconcile =
        metrics.timer("drover.reconcile.duration", "one reconcile pass of the scheduler");
    this.nodeCpu =
        metrics.gaugeFamily("drover.node.cpu_load", "CPU load of the node, 0..1", "node");
    this.nodeMemoryUsed =
        metrics.gaugeFamily("drover.node.memory.used_bytes", "memory in use on the node", "node");
    this.nodeMemoryAvailable =
        metrics.gaugeFamily(
            "drover.node.memory.available_bytes", "memory available on the node", "node");
    this.nodeMemoryTotal =
        metrics.gaugeFamily("drover.node.memory.total_bytes", "memory of the node", "node");
    // Per container (and per metric a service reports): produced from the scheduler's container
    // table at each read rather than kept as a gauge, a name and a label list per container
    // between reads.
    ReadTimeGauges perContainer = metrics.readTimeGauges(this::readContainers);
    String[] containerLabels = {"node", "service", "instance", "container"};
    this.containerCpu =
        perContainer.family(
            "drover.container.cpu_percent",
            "CPU use of the container JVM, percent of one core",
            containerLabels);
    this.containerRss =
        perContainer.family(
            "drover.container.rss_bytes", "resident memory of the container JVM", containerLabels);
    this.containerHeapUsed =
        perContainer.family(
            "drover.container.heap.used_bytes",
            "heap in use in the container JVM",
            containerLabels);
    this.containerHeapMax =
        perContainer.family(
            "drover.container.heap.max_bytes",
            "largest heap of the container JVM",
            containerLabels);
    this.serviceMetrics =
        perContainer.family(
            "drover.service.metric",
            "a metric the service reports itself, flattened (metric=\"requests.rate1m\")",
            "node",
            "service",
            "instance",
            "metric");
    nodes.onSample(this::telemetryArrived);
    scheduler.onReconcile(nanos -> reconcile.update(nanos, TimeUnit.NANOSECONDS));
    this.unsubscribe = events.listen(this::count);
    this.publisher = new MetricsPublisher(metrics, config, "drover.controller", this::refresh);
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

  /** Reports once with every scheduled reporter. */
  public void reportNow() {
    publisher.reportNow();
  }

  private void telemetryArrived(String nodeId, TelemetrySample sample) {
    if (sample.sampledAt().toEpochMilli() <= 0) {
      return; // an agent that does not say when it sampled
    }
    long lag = Duration.between(sample.sampledAt(), clock.instant()).toNanos();
    telemetryLag.update(Math.max(0, lag), TimeUnit.NANOSECONDS);
  }

  private void count(Event event) {
    if (event.kind() == EventKind.INSTANCE_PLACED) {
      metrics
          .counter(
              "drover.placements",
              "instances placed on a node, in a warm (IDLE) or a new cold container",
              "node",
              event.attributes().getOrDefault("node", ""),
              "mode",
              event.attributes().getOrDefault("mode", ""))
          .inc();
    } else if (event.kind() == EventKind.SERVICE_SCALED) {
      Map<String, String> a = event.attributes();
      String direction = "";
      try {
        direction =
            Integer.parseInt(a.getOrDefault("to", "0"))
                    >= Integer.parseInt(a.getOrDefault("from", "0"))
                ? "up"
                : "down";
      } catch (NumberFormatException e) {
        // leave it empty
      }
      metrics
          .counter(
              "drover.scale_decisions",
              "changes of a service's desired replicas, by the autoscaler or an operator",
              "service",
              event.subject().startsWith("service/")
                  ? event.subject().substring(8)
                  : event.subject(),
              "by",
              a.getOrDefault("by", "operator"),
              "direction",
              direction)
          .inc();
    }
  }

  /** Reads the current state into the gauges. */
  private synchronized void refresh() {
    List<Node> all = nodes.list();
    Map<String, String> names = new HashMap<>();
    Map<List<String>, Integer> byState = new HashMap<>();
    for (NodeState s : NodeState.values()) {
      byState.put(List.of(s.name()), 0);
    }
    Map<List<String>, Double> cpu = new HashMap<>();
    Map<List<String>, Long> used = new HashMap<>();
    Map<List<String>, Long> available = new HashMap<>();
    Map<List<String>, Long> total = new HashMap<>();
    int open = 0;
    for (Node n : all) {
      names.put(n.id(), n.name());
      byState.merge(List.of(n.state().name()), 1, Integer::sum);
      if (n.state().connected()) {
        open++;
      }
      if (n.state() == NodeState.LOST) {
        continue;
      }
      List<String> key = List.of(n.name());
      // The gauges read the sample as received; converting every node's would cost more.
      n.telemetry()
          .ifPresent(
              l -> {
                cpu.put(key, l.cpuLoad());
                used.put(key, l.memoryUsedBytes());
                available.put(key, l.memoryAvailableBytes());
                total.put(key, l.memoryTotalBytes());
              });
    }
    openStreams = open;
    nodesByState.set(byState);
    nodeCpu.set(cpu);
    nodeMemoryUsed.set(used);
    nodeMemoryAvailable.set(available);
    nodeMemoryTotal.set(total);

    List<InstanceView> instances = await(scheduler.instances("", ""));
    if (instances != null) {
      Map<List<String>, Integer> counts = new HashMap<>();
      for (InstanceState s : InstanceState.values()) {
        counts.put(List.of(s.name()), 0);
      }
      instances.forEach(i -> counts.merge(List.of(i.state().name()), 1, Integer::sum));
      instancesByState.set(counts);
    }
    Map<String, Integer> free = await(scheduler.freePorts());
    if (free != null) {
      Map<List<String>, Integer> byNode = new HashMap<>();
      free.forEach((id, n) -> byNode.put(List.of(names.getOrDefault(id, id)), n));
      freePorts.set(byNode);
    }
  }

  /**
   * Writes a series per live container with a load, and per metric its service reports, from the
   * scheduler's container table as it is now.
   */
  private void readContainers(ReadTimeGauges.Sink out) {
    List<Map.Entry<ContainerView, ContainerLoad>> containers = await(scheduler.containers(""));
    if (containers == null || containers.isEmpty()) {
      return;
    }
    Map<String, String> names = new HashMap<>();
    for (Node n : nodes.list()) {
      names.put(n.id(), n.name());
    }
    for (Map.Entry<ContainerView, ContainerLoad> e : containers) {
      ContainerView v = e.getKey();
      ContainerLoad l = e.getValue();
      if (v.status().isTerminal() || l == ContainerLoad.NONE) {
        continue;
      }
      String node = names.getOrDefault(v.nodeId(), v.nodeId());
      String service = v.service();
      String instance = v.instanceId();
      out.add(containerCpu, l.cpuPercent(), node, service, instance, v.id());
      out.add(containerRss, l.rssBytes(), node, service, instance, v.id());
      out.add(containerHeapUsed, l.heapUsedBytes(), node, service, instance, v.id());
      out.add(containerHeapMax, l.heapMaxBytes(), node, service, instance, v.id());
      l.serviceMetrics()
          .forEach(
              (metric, value) -> out.add(serviceMetrics, value, node, service, instance, metric));
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      log.debug("metrics: the scheduler did not answer", e);
      return null;
    }
  }

  @Override
  public void close() {
    unsubscribe.run();
    publisher.close();
  }
}
