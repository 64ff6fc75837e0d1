package io.drover.controller.discovery;

import java.time.Instant;
import java.util.List;

/**
 * The READY endpoints of one service at one moment.
 *
 * @param inCatalog false for a service the catalog does not have; its set is then empty
 * @param version rises with every change of any service this controller saw
 */
public record EndpointSet(
    String service, boolean inCatalog, List<Endpoint> endpoints, long version, Instant changedAt) {

  public EndpointSet {
    endpoints = List.copyOf(endpoints);
  }
}
