package io.drover.controller.containers;

import java.util.Map;

/**
 * One sample of a container's load: measured by its agent (CPU, memory, threads, files) and
 * reported by the container itself (heap, service metrics).
 *
 * @param cpuPercent of one core; can exceed 100
 */
public record ContainerLoad(
    double cpuPercent,
    long rssBytes,
    int threads,
    int openFiles,
    long heapUsedBytes,
    long heapMaxBytes,
    Map<String, Double> serviceMetrics) {

  public ContainerLoad {
    serviceMetrics = Map.copyOf(serviceMetrics);
  }

  public static final ContainerLoad NONE = new ContainerLoad(0, 0, 0, 0, 0, 0, Map.of());
}
