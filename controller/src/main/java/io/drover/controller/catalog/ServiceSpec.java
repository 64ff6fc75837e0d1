package io.drover.controller.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One microservice the controller must run. {@link CatalogParser} checks every rule and fills every
 * default; this record only keeps itself immutable.
 *
 * @param entry the class to load: an SDK {@code MicroService} or a class with {@code main}
 * @param profile the name of the {@link JvmProfileSpec} its containers start with
 * @param ports names of the ports each instance needs; the controller hands out the numbers
 * @param warmPool containers kept started and empty on each node, ready to load this service
 * @param gracePeriod how long an instance may take to stop before it is killed
 * @param startTimeout how long an instance may take to become healthy before it counts as failed
 * @param scaling how the controller scales the service; empty: it is not autoscaled
 * @param recovery what is done about an instance that reports errors or keeps crashing
 */
public record ServiceSpec(
    String name,
    ArtifactRef artifact,
    String entry,
    StartMode mode,
    String profile,
    Resources resources,
    Replicas replicas,
    List<String> ports,
    HealthCheck health,
    Map<String, String> env,
    List<String> args,
    Map<String, String> systemProperties,
    int warmPool,
    Duration gracePeriod,
    Duration startTimeout,
    Optional<ScalingPolicy> scaling,
    RecoveryPolicy recovery) {

  public ServiceSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(replicas, "replicas");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    Objects.requireNonNull(startTimeout, "startTimeout");
    Objects.requireNonNull(scaling, "scaling");
    Objects.requireNonNull(recovery, "recovery");
    ports = Copies.list(ports);
    env = Copies.map(env);
    args = Copies.list(args);
    systemProperties = Copies.map(systemProperties);
    if (warmPool < 0) {
      throw new IllegalArgumentException("warmPool must not be negative");
    }
  }
}
