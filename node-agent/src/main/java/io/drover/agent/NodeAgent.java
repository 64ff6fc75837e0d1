package io.drover.agent;

import io.drover.agent.config.AgentConfig;
import io.drover.agent.grpc.ControllerLink;
import io.drover.agent.grpc.LinkStatus;
import io.drover.agent.identity.NodeIdentity;
import io.drover.agent.inventory.InventoryProbe;
import io.drover.agent.telemetry.TelemetrySampler;
import io.drover.common.Version;
import io.drover.common.http.HttpEndpoint;
import io.drover.common.http.HttpResponse;
import io.drover.v1.Hello;
import io.drover.v1.PortRange;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/** The node agent process: its identity, probes, HTTP endpoint and link to the controller. */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private final AgentConfig config;
  private final String nodeId;
  private final HttpEndpoint http;
  private final ControllerLink link;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NodeAgent(AgentConfig config) {
    this.config = config;
    this.nodeId = NodeIdentity.loadOrCreate(config.dataDir());
    SystemInfo system = new SystemInfo();
    InventoryProbe inventory = new InventoryProbe(system);
    TelemetrySampler sampler = new TelemetrySampler(system);
    // The link exists before HTTP serves /healthz, which reads it; it starts after both.
    this.link =
        new ControllerLink(
            config.controller(),
            () -> hello(inventory),
            sampler,
            config.reconnectInitialBackoff(),
            config.reconnectMaxBackoff());
    this.http = HttpEndpoint.start("agent", config.httpListen(), Map.of("/healthz", this::health));
  }

  /** Starts the agent; it connects in the background and keeps reconnecting until closed. */
  public static NodeAgent start(AgentConfig config) {
    NodeAgent agent = new NodeAgent(config);
    agent.link.start();
    log.info(
        "agent {} ({}) started: controller {}, HTTP on port {}, instance ports {}, data in {}",
        config.name(),
        agent.nodeId,
        config.controller(),
        agent.http.port(),
        config.ports(),
        config.dataDir());
    return agent;
  }

  public String nodeId() {
    return nodeId;
  }

  public int httpPort() {
    return http.port();
  }

  public LinkStatus linkStatus() {
    return link.status();
  }

  private Hello hello(InventoryProbe inventory) {
    Hello.Builder hello =
        Hello.newBuilder()
            .setNodeId(nodeId)
            .setNodeName(config.name())
            .setAgentVersion(Version.current())
            .setAgentPid(ProcessHandle.current().pid())
            .setInventory(inventory.probe())
            .setInstancePorts(
                PortRange.newBuilder().setLow(config.ports().low()).setHigh(config.ports().high()))
            .setHttpPort(http.port());
    config.advertiseAddress().ifPresent(hello::setAdvertiseAddress);
    return hello.build();
  }

  private HttpResponse health() {
    LinkStatus s = link.status();
    return HttpResponse.json(
        200,
        String.format(
            "{\"status\":\"ok\",\"nodeId\":\"%s\",\"controller\":\"%s\",\"connected\":%b,"
                + "\"sessionEpoch\":%d}%n",
            nodeId, config.controller(), s.connected(), s.sessionEpoch()));
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    link.close();
    http.close();
    log.info("agent {} stopped", config.name());
  }
}
