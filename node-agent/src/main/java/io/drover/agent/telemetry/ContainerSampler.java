package io.drover.agent.telemetry;

import io.drover.v1.ContainerMetrics;
import io.drover.v1.ContainerReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Measures each container JVM from outside with OSHI (CPU, resident memory, threads, open files)
 * and merges what the container reported of itself (heap, service metrics). CPU is a difference of
 * tick counts, so the previous sample of each process is kept; use from one thread.
 */
public final class ContainerSampler {
  private final OperatingSystem os;
  private final Map<Long, OSProcess> previous = new HashMap<>();

  public ContainerSampler(SystemInfo system) {
    this.os = system.getOperatingSystem();
  }

  public synchronized List<ContainerMetrics> sample(
      List<ContainerReport> containers, Map<String, ContainerMetrics> reported) {
    List<ContainerMetrics> samples = new ArrayList<>(containers.size());
    Map<Long, OSProcess> current = new HashMap<>();
    for (ContainerReport container : containers) {
      ContainerMetrics.Builder m =
          reported
              .getOrDefault(container.getContainerId(), ContainerMetrics.getDefaultInstance())
              .toBuilder()
              .setContainerId(container.getContainerId());
      OSProcess process = container.getPid() > 0 ? os.getProcess((int) container.getPid()) : null;
      if (process != null) {
        current.put(container.getPid(), process);
        OSProcess before = previous.get(container.getPid());
        double load = before == null ? 0 : process.getProcessCpuLoadBetweenTicks(before);
        m.setCpuPercent(Math.max(0, load) * 100)
            .setRssBytes(Math.max(0, process.getResidentSetSize()))
            .setThreads(Math.max(0, process.getThreadCount()))
            .setOpenFiles((int) Math.max(0, process.getOpenFiles()));
      }
      samples.add(m.build());
    }
    previous.clear();
    previous.putAll(current);
    return samples;
  }
}
