package io.drover.controller.grpc;

import io.drover.controller.containers.ContainerLoad;
import io.drover.controller.containers.ContainerView;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.Node;
import io.drover.controller.scheduling.ServiceStatusView;
import io.drover.v1.ContainerInfo;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.PortBinding;
import io.drover.v1.ServiceStatus;
import java.util.Optional;

/** Services, instances and containers of the scheduler to the proto messages of Control. */
final class SchedulingConverters {
  private SchedulingConverters() {}

  static ServiceStatus service(ServiceStatusView s) {
    return ServiceStatus.newBuilder()
        .setName(s.name())
        .setDesired(s.desired())
        .setRunning(s.ready())
        .setStarting(s.starting())
        .setPending(s.pending())
        .setFailed(s.failed())
        .setMin(s.min())
        .setMax(s.max())
        .setMode(s.cold() ? "cold" : "warm")
        .setProfile(s.profile())
        .setEntry(s.entry())
        .build();
  }

  static Instance instance(InstanceView i, Optional<Node> node) {
    Instance.Builder b =
        Instance.newBuilder()
            .setId(i.id())
            .setService(i.service())
            .setNode(i.nodeId())
            .setNodeName(node.map(Node::name).orElse(""))
            .setAddress(node.map(Node::address).orElse(""))
            .setState(InstanceState.valueOf("INSTANCE_STATE_" + i.state().name()))
            .setPid(i.pid())
            .setContainerId(i.containerId())
            .setRestarts(i.restarts())
            .setReason(i.reason())
            .setLastError(i.lastError())
            .setCreatedAtMs(i.createdAt().toEpochMilli());
    i.readyAt().ifPresent(t -> b.setReadyAtMs(t.toEpochMilli()));
    i.restartAt().ifPresent(t -> b.setRestartAtMs(t.toEpochMilli()));
    i.ports()
        .forEach((name, port) -> b.addPorts(PortBinding.newBuilder().setName(name).setPort(port)));
    return b.build();
  }

  static ContainerInfo container(ContainerView c, ContainerLoad load, Optional<Node> node) {
    return ContainerInfo.newBuilder()
        .setNodeId(c.nodeId())
        .setNodeName(node.map(Node::name).orElse(""))
        .setContainer(ContainerConverters.report(c))
        .setMetrics(ContainerConverters.metrics(c.id(), load))
        .build();
  }
}
