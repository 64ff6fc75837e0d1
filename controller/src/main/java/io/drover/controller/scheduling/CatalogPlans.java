package io.drover.controller.scheduling;

import io.drover.controller.agents.Health;
import io.drover.controller.catalog.ArtifactRef;
import io.drover.controller.catalog.Catalog;
import io.drover.controller.catalog.HealthCheck;
import io.drover.controller.catalog.JvmProfileSpec;
import io.drover.controller.catalog.ServiceSpec;
import io.drover.controller.catalog.StartMode;
import io.drover.controller.containers.JvmProfile;
import java.nio.file.Path;
import java.util.List;

/** Turns a catalog into what the scheduler plans with. */
public final class CatalogPlans {
  private CatalogPlans() {}

  /**
   * @param baseDir relative artifact paths are resolved against it (the catalog file's dir)
   */
  public static List<ServicePlan> from(Catalog catalog, Path baseDir) {
    return catalog.services().stream().map(s -> plan(s, catalog.profileOf(s), baseDir)).toList();
  }

  static ServicePlan plan(ServiceSpec s, JvmProfileSpec profile, Path baseDir) {
    return new ServicePlan(
        s.name(),
        new JvmProfile(
            profile.name(), profile.java().orElse(""), profile.heapMb(), profile.flags()),
        s.mode() == StartMode.COLD,
        s.resources().memoryMb(),
        s.resources().cpuMillis(),
        s.replicas().min(),
        s.replicas().max(),
        s.replicas().initial(),
        s.ports(),
        location(s.artifact(), baseDir),
        s.artifact().sha256().orElse(""),
        s.entry(),
        s.args(),
        s.env(),
        s.systemProperties(),
        s.gracePeriod(),
        s.startTimeout(),
        s.warmPool(),
        health(s.health()),
        s.scaling(),
        s.recovery());
  }

  static Health health(HealthCheck h) {
    return new Health(
        switch (h.type()) {
          case TCP -> Health.Type.TCP;
          case HTTP -> Health.Type.HTTP;
          case READY -> Health.Type.READY;
        },
        h.path().orElse(""),
        h.port().orElse(""),
        h.interval(),
        h.timeout());
  }

  /** The artifact as agents read it: {@code file:ABSOLUTE}, {@code blob:SHA256} or the URL. */
  static String location(ArtifactRef artifact, Path baseDir) {
    return switch (artifact.kind()) {
      case PATH -> "file:" + baseDir.resolve(artifact.location()).toAbsolutePath().normalize();
      case URL -> artifact.location();
      case BLOB -> "blob:" + artifact.location();
    };
  }
}
