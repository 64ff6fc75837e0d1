package io.drover.controller.scheduling;

import io.drover.controller.agents.Health;
import io.drover.controller.catalog.RecoveryPolicy;
import io.drover.controller.catalog.ScalingPolicy;
import io.drover.controller.containers.JvmProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the scheduler needs of one catalog service.
 *
 * @param artifact {@code file:ABSOLUTE_PATH}, {@code blob:SHA256} or an https URL
 * @param sha256 lowercase hex, or empty
 * @param cold the service needs its port at JVM start: no warm container can take it
 * @param warmPool spare containers of its profile to keep on every node
 */
public record ServicePlan(
    String name,
    JvmProfile profile,
    boolean cold,
    int memoryMb,
    int cpuMillis,
    int min,
    int max,
    int initial,
    List<String> ports,
    String artifact,
    String sha256,
    String entry,
    List<String> args,
    Map<String, String> env,
    Map<String, String> systemProperties,
    Duration gracePeriod,
    Duration startTimeout,
    int warmPool,
    Health health,
    Optional<ScalingPolicy> scaling,
    RecoveryPolicy recovery) {

  public ServicePlan {
    ports = List.copyOf(ports);
    args = List.copyOf(args);
    env = Map.copyOf(env);
    systemProperties = Map.copyOf(systemProperties);
  }

  public int clamp(int replicas) {
    return Math.max(min, Math.min(max, replicas));
  }
}
