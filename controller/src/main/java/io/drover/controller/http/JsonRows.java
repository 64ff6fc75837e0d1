package io.drover.controller.http;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.discovery.EndpointSet;
import io.drover.controller.events.Event;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeLoad;
import io.drover.controller.scheduling.ServiceStatusView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of the read-only JSON API: the same fields, names and values as {@code drover ...
 * --output json} prints (the CLI's row records), built from the domain's snapshots instead of the
 * Control API's messages. A test in the CLI keeps the two in step.
 */
final class JsonRows {
  private JsonRows() {}

  /** {@code GET /v1/cluster}: the Control API's cluster summary. */
  record ClusterRow(
      String controllerVersion,
      String startedAt,
      int nodesTotal,
      Map<String, Integer> nodesByState,
      int logicalCoresTotal,
      long memoryBytesTotal,
      int containersTotal,
      int instancesTotal,
      int servicesTotal) {}

  /** One node, as {@code drover nodes --output json}. */
  record NodeRow(
      String id,
      String name,
      String state,
      String address,
      int cores,
      long memoryBytes,
      double cpuLoad,
      long memoryUsedBytes,
      long agentPid,
      int containers,
      String agentVersion,
      long sessionEpoch,
      String lastSeen,
      String instancePorts,
      int httpPort) {}

  /** One service, as {@code drover services --output json}. */
  record ServiceRow(
      String name,
      int desired,
      int running,
      int min,
      int max,
      int starting,
      int pending,
      int failed,
      String mode,
      String profile,
      String entry) {}

  record PortView(String name, int port) {}

  /** One instance, as {@code drover instances --output json}. */
  record InstanceRow(
      String id,
      String service,
      String node,
      String nodeName,
      String state,
      String address,
      List<PortView> ports,
      long pid,
      String containerId,
      int restarts,
      String reason,
      String createdAt,
      String readyAt,
      String lastError,
      String restartAt) {}

  /** One container with its latest load, as {@code drover containers --output json}. */
  record ContainerRow(
      String id,
      String node,
      String nodeName,
      String state,
      String profile,
      long pid,
      String service,
      String instance,
      double cpuPercent,
      long rssBytes,
      long heapUsedBytes,
      int threads,
      Map<String, Double> serviceMetrics) {}

  /** One event, as {@code drover events --output json}. */
  /** One READY endpoint of {@code /v1/services/NAME/endpoints}. */
  record EndpointRow(
      String instance,
      String node,
      String address,
      int port,
      List<PortView> ports,
      String zone,
      Map<String, String> labels) {}

  /** The body of {@code /v1/services/NAME/endpoints}. */
  record EndpointsRow(
      String service,
      boolean inCatalog,
      long version,
      String changedAt,
      List<EndpointRow> endpoints) {}

  record EventView(
      long sequence,
      String time,
      String kind,
      String subject,
      String message,
      Map<String, String> attributes) {}

  static NodeRow node(Node n) {
    Optional<NodeLoad> load = n.load();
    return new NodeRow(
        n.id(),
        n.name(),
        n.state().name(),
        n.address(),
        n.inventory().logicalCores(),
        n.inventory().memoryBytes(),
        load.map(NodeLoad::cpuLoad).orElse(0.0),
        load.map(NodeLoad::memoryUsedBytes).orElse(0L),
        n.agentPid(),
        n.containers(),
        n.agentVersion(),
        n.sessionEpoch(),
        time(n.lastSeen()),
        n.instancePorts().low() + "-" + n.instancePorts().high(),
        n.httpPort());
  }

  static ServiceRow service(ServiceStatusView s) {
    return new ServiceRow(
        s.name(),
        s.desired(),
        s.ready(),
        s.min(),
        s.max(),
        s.starting(),
        s.pending(),
        s.failed(),
        s.cold() ? "cold" : "warm",
        s.profile(),
        s.entry());
  }

  static InstanceRow instance(InstanceView i, Optional<Node> node) {
    return new InstanceRow(
        i.id(),
        i.service(),
        i.nodeId(),
        node.map(Node::name).orElse(""),
        i.state().name(),
        node.map(Node::address).orElse(""),
        i.ports().entrySet().stream().map(p -> new PortView(p.getKey(), p.getValue())).toList(),
        i.pid(),
        i.containerId(),
        i.restarts(),
        i.reason(),
        time(i.createdAt()),
        i.readyAt().map(JsonRows::time).orElse(null),
        i.lastError(),
        i.restartAt().map(JsonRows::time).orElse(null));
  }

  static ContainerRow container(ContainerView c, ContainerLoad load, Optional<Node> node) {
    return new ContainerRow(
        c.id(),
        c.nodeId(),
        node.map(Node::name).orElse(""),
        c.status().name(),
        c.profile().name(),
        c.pid(),
        c.service(),
        c.instanceId(),
        load.cpuPercent(),
        load.rssBytes(),
        load.heapUsedBytes(),
        load.threads(),
        load.serviceMetrics());
  }

  static EventView event(Event e) {
    return new EventView(
        e.sequence(), time(e.time()), e.kind().name(), e.subject(), e.message(), e.attributes());
  }

  /** ISO-8601 in UTC to the millisecond, as the Control API carries times. */
  static EndpointsRow endpoints(EndpointSet set) {
    return new EndpointsRow(
        set.service(),
        set.inCatalog(),
        set.version(),
        time(set.changedAt()),
        set.endpoints().stream()
            .map(
                e ->
                    new EndpointRow(
                        e.instanceId(),
                        e.nodeName(),
                        e.address(),
                        e.firstPort(),
                        e.ports().entrySet().stream()
                            .map(p -> new PortView(p.getKey(), p.getValue()))
                            .toList(),
                        e.zone(),
                        e.labels()))
            .toList());
  }

  static String time(Instant t) {
    return Instant.ofEpochMilli(t.toEpochMilli()).toString();
  }
}
