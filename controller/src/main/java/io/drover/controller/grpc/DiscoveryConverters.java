package io.drover.controller.grpc;

import io.drover.controller.discovery.Endpoint;
import io.drover.controller.discovery.EndpointSet;
import io.drover.v1.ServiceEndpoints;

/** Endpoint sets to the protocol's messages. */
final class DiscoveryConverters {
  private DiscoveryConverters() {}

  static ServiceEndpoints endpoints(EndpointSet set) {
    ServiceEndpoints.Builder out =
        ServiceEndpoints.newBuilder()
            .setService(set.service())
            .setInCatalog(set.inCatalog())
            .setVersion(set.version())
            .setChangedAtMs(set.changedAt().toEpochMilli());
    for (Endpoint e : set.endpoints()) {
      io.drover.v1.Endpoint.Builder endpoint =
          io.drover.v1.Endpoint.newBuilder()
              .setInstanceId(e.instanceId())
              .setNodeId(e.nodeId())
              .setNodeName(e.nodeName())
              .setAddress(e.address())
              .setPort(e.firstPort())
              .setZone(e.zone())
              .putAllLabels(e.labels());
      e.ports().forEach(endpoint::putPorts);
      out.addEndpoints(endpoint);
    }
    return out.build();
  }
}
