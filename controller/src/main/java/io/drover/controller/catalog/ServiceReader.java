package io.drover.controller.catalog;

import io.drover.common.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads one entry of {@code services}, checking every rule that concerns the service alone. */
final class ServiceReader {
  static final List<String> KEYS =
      List.of(
          "name",
          "artifact",
          "entry",
          "mode",
          "profile",
          "resources",
          "replicas",
          "ports",
          "health",
          "env",
          "args",
          "systemProperties",
          "warmPool",
          "gracePeriod",
          "startTimeout",
          "scaling",
          "recovery");
  static final List<String> ARTIFACT_KEYS = List.of("path", "url", "blob", "sha256");
  static final List<String> ARTIFACT_SOURCES = List.of("path", "url", "blob");
  static final List<String> RESOURCES_KEYS = List.of("memoryMb", "cpuMillis");
  static final List<String> REPLICAS_KEYS = List.of("min", "max", "initial");
  static final List<String> HEALTH_KEYS = List.of("type", "path", "port", "interval", "timeout");

  private final Problems problems;
  private final Set<String> profiles;
  private final Map<String, Position> names = new HashMap<>();

  /**
   * @param profiles the names of the profiles the catalog declares, valid or not: a service that
   *     names an invalid profile has no problem of its own
   */
  ServiceReader(Problems problems, Set<String> profiles) {
    this.problems = problems;
    this.profiles = profiles;
  }

  /** The service, or empty when it has problems (all of them reported). */
  Optional<ServiceDraft> read(YamlNode node, int index) {
    int before = problems.size();
    String path = "services[" + nameOrIndex(node, index) + "]";
    Optional<Fields> opened = Fields.of(node, path, problems, KEYS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields f = opened.get();
    Optional<String> name =
        f.required("name").filter(n -> f.isName("name", n)).filter(n -> isUnique(f, n));
    Optional<ArtifactRef> artifact = artifact(f);
    Optional<String> entry = f.required("entry").filter(e -> isClassName(f, e));
    Optional<StartMode> mode = f.choice("mode", StartMode.class, StartMode.WARM);
    Optional<String> profile =
        f.text("profile", JvmProfileSpec.DEFAULT_NAME)
            .filter(p -> f.isName("profile", p))
            .filter(p -> isDeclaredProfile(f, p));
    Optional<Fields> resourcesFields = f.mapping("resources", RESOURCES_KEYS);
    Optional<Resources> resources = resourcesFields.flatMap(ServiceReader::resources);
    Optional<Replicas> replicas =
        f.mapping("replicas", REPLICAS_KEYS).flatMap(ServiceReader::replicas);
    Optional<List<String>> ports = ports(f);
    Optional<HealthCheck> health =
        f.mapping("health", HEALTH_KEYS).flatMap(h -> health(h, ports.orElse(null)));
    Optional<Map<String, String>> env =
        f.textMap(
            "env", CatalogRules.ENV_NAME, "letters, digits and '_', not starting with a digit");
    Optional<List<String>> args = f.texts("args", List.of(), CatalogRules.MAX_ENTRIES);
    Optional<Map<String, String>> systemProperties =
        f.textMap(
            "systemProperties",
            CatalogRules.PROPERTY_NAME,
            "letters, digits, '_', '$', '.' and '-', not starting with '.' or '-'");
    Optional<Integer> warmPool = f.integer("warmPool", 0, 0, CatalogRules.MAX_WARM_POOL);
    Optional<Duration> gracePeriod = f.duration("gracePeriod", CatalogRules.DEFAULT_GRACE_PERIOD);
    Optional<Duration> startTimeout =
        f.duration("startTimeout", CatalogRules.DEFAULT_START_TIMEOUT);
    Optional<Optional<ScalingPolicy>> scaling = ScalingReader.read(f);
    Optional<RecoveryPolicy> recovery = RecoveryReader.read(f);
    if (problems.size() > before) {
      return Optional.empty();
    }
    ServiceSpec spec =
        new ServiceSpec(
            name.get(),
            artifact.get(),
            entry.get(),
            mode.get(),
            profile.get(),
            resources.get(),
            replicas.get(),
            ports.get(),
            health.get(),
            env.get(),
            args.get(),
            systemProperties.get(),
            warmPool.get(),
            gracePeriod.get(),
            startTimeout.get(),
            scaling.get(),
            recovery.get());
    return Optional.of(new ServiceDraft(spec, path, resourcesFields.get().at("memoryMb")));
  }

  /** Problems name a service by its name when it has a valid one, else by its place in the list. */
  private static String nameOrIndex(YamlNode node, int index) {
    if (node instanceof YamlNode.Mapping m) {
      for (YamlNode.Entry e : m.entries()) {
        if (e.key().equals("name")
            && e.value() instanceof YamlNode.Scalar s
            && CatalogRules.NAME.matcher(s.text()).matches()) {
          return s.text();
        }
      }
    }
    return Integer.toString(index);
  }

  private boolean isUnique(Fields f, String name) {
    Position first = names.putIfAbsent(name, f.at("name"));
    if (first == null) {
      return true;
    }
    f.problem("name", "'" + name + "' is already the name of the service at " + first);
    return false;
  }

  private boolean isDeclaredProfile(Fields f, String profile) {
    if (profiles.contains(profile)) {
      return true;
    }
    f.problem(
        "profile", "no profile '" + profile + "'; the profiles are " + String.join(", ", profiles));
    return false;
  }

  private static boolean isClassName(Fields f, String entry) {
    if (CatalogRules.CLASS_NAME.matcher(entry).matches()) {
      return true;
    }
    f.problem("entry", "'" + entry + "' is not a Java class name such as com.example.HelloService");
    return false;
  }

  private static Optional<ArtifactRef> artifact(Fields service) {
    if (!service.has("artifact")) {
      service.problem("artifact", "missing; give one of path, url or blob");
      return Optional.empty();
    }
    Optional<Fields> opened = service.mapping("artifact", ARTIFACT_KEYS);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    Fields a = opened.get();
    List<String> given = ARTIFACT_SOURCES.stream().filter(a::has).toList();
    Optional<Optional<String>> sha256 = a.optionalText("sha256");
    boolean shaValid =
        sha256.isPresent() && sha256.get().map(sha -> isSha256(a, "sha256", sha)).orElse(true);
    if (given.isEmpty()) {
      service.problem("artifact", "needs one of path, url or blob");
      return Optional.empty();
    }
    if (given.size() > 1) {
      a.problem(
          given.get(1), "give only one of path, url or blob, not " + String.join(" and ", given));
      return Optional.empty();
    }
    String source = given.get(0);
    Optional<String> location = a.text(source, "");
    if (location.isEmpty() || !shaValid) {
      return Optional.empty();
    }
    String where = location.get();
    return switch (source) {
      case "path" -> {
        if (where.isBlank()) {
          a.problem("path", "must not be blank");
          yield Optional.empty();
        }
        yield Optional.of(new ArtifactRef(ArtifactRef.Kind.PATH, where, sha256.get()));
      }
      case "url" ->
          isHttpsUrl(a, where)
              ? Optional.of(new ArtifactRef(ArtifactRef.Kind.URL, where, sha256.get()))
              : Optional.empty();
      default -> {
        if (!isSha256(a, "blob", where)) {
          yield Optional.empty();
        }
        if (sha256.get().isPresent() && !sha256.get().get().equals(where)) {
          a.problem("sha256", "differs from the blob, whose name is its sha256");
          yield Optional.empty();
        }
        yield Optional.of(new ArtifactRef(ArtifactRef.Kind.BLOB, where, Optional.of(where)));
      }
    };
  }

  private static boolean isSha256(Fields f, String key, String value) {
    if (CatalogRules.SHA256.matcher(value).matches()) {
      return true;
    }
    f.problem(key, "must be a SHA-256 as 64 lowercase hex digits, not '" + value + "'");
    return false;
  }

  private static boolean isHttpsUrl(Fields f, String url) {
    try {
      URI uri = new URI(url);
      if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
        return true;
      }
    } catch (URISyntaxException e) {
      // reported below, as any other URL that is not https
    }
    f.problem("url", "must be an https:// URL, not '" + url + "'");
    return false;
  }

  private static Optional<Resources> resources(Fields r) {
    Optional<Integer> memoryMb =
        r.integer(
            "memoryMb",
            Resources.DEFAULT.memoryMb(),
            CatalogRules.MIN_MEMORY_MB,
            CatalogRules.MAX_MEMORY_MB);
    Optional<Integer> cpuMillis =
        r.integer("cpuMillis", Resources.DEFAULT.cpuMillis(), 1, CatalogRules.MAX_CPU_MILLIS);
    if (memoryMb.isEmpty() || cpuMillis.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Resources(memoryMb.get(), cpuMillis.get()));
  }

  /** min defaults to 1, initial to min, max to the larger of min and initial. */
  private static Optional<Replicas> replicas(Fields r) {
    int limit = CatalogRules.MAX_REPLICAS;
    Optional<Integer> min = r.integer("min", CatalogRules.DEFAULT_MIN_REPLICAS, 0, limit);
    Optional<Integer> initial = r.has("initial") ? r.integer("initial", 0, 0, limit) : min;
    Optional<Integer> max =
        r.has("max")
            ? r.integer("max", 0, 0, limit)
            : min.flatMap(m -> initial.map(i -> Math.max(m, i)));
    if (min.isEmpty() || initial.isEmpty() || max.isEmpty()) {
      return Optional.empty();
    }
    if (min.get() > max.get()) {
      r.problem("max", "must be at least min (" + min.get() + "), not " + max.get());
      return Optional.empty();
    }
    if (initial.get() < min.get()) {
      r.problem("initial", "must be at least min (" + min.get() + "), not " + initial.get());
      return Optional.empty();
    }
    if (initial.get() > max.get()) {
      r.problem("initial", "must be at most max (" + max.get() + "), not " + initial.get());
      return Optional.empty();
    }
    return Optional.of(new Replicas(min.get(), max.get(), initial.get()));
  }

  private static Optional<List<String>> ports(Fields f) {
    Optional<List<String>> ports =
        f.texts("ports", List.of(CatalogRules.DEFAULT_PORT), CatalogRules.MAX_PORTS);
    if (ports.isEmpty()) {
      return ports;
    }
    boolean valid = true;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ports.get().size(); i++) {
      String port = ports.get().get(i);
      if (!CatalogRules.NAME.matcher(port).matches()) {
        f.itemProblem("ports", i, "'" + port + "' is not a valid name: " + CatalogRules.NAME_RULE);
        valid = false;
      } else if (!seen.add(port)) {
        f.itemProblem("ports", i, "'" + port + "' is listed twice");
        valid = false;
      }
    }
    return valid ? ports : Optional.empty();
  }

  /**
   * The default check is tcp on the first port, or ready when the service has no port. {@code
   * ports} is null when they are invalid: then the port is not checked against them.
   */
  private static Optional<HealthCheck> health(Fields h, List<String> ports) {
    HealthCheck.Type byDefault =
        ports == null || !ports.isEmpty() ? HealthCheck.Type.TCP : HealthCheck.Type.READY;
    Optional<HealthCheck.Type> type = h.choice("type", HealthCheck.Type.class, byDefault);
    Optional<Optional<String>> path = h.optionalText("path");
    Optional<Optional<String>> port = h.optionalText("port");
    Optional<Duration> interval = h.duration("interval", CatalogRules.DEFAULT_HEALTH_INTERVAL);
    Optional<Duration> timeout = h.duration("timeout", CatalogRules.DEFAULT_HEALTH_TIMEOUT);
    if (type.isEmpty() || path.isEmpty() || port.isEmpty()) {
      return Optional.empty();
    }
    boolean valid = interval.isPresent() && timeout.isPresent();
    if (valid && timeout.get().compareTo(interval.get()) > 0) {
      h.problem(
          "timeout",
          "must not be longer than the interval (" + Durations.format(interval.get()) + ")");
      valid = false;
    }
    if (type.get() == HealthCheck.Type.HTTP) {
      if (path.get().isEmpty()) {
        h.problem("path", "missing; an http check needs a path such as /healthz");
        valid = false;
      } else if (!path.get().get().startsWith("/")) {
        h.problem("path", "must start with /, not '" + path.get().get() + "'");
        valid = false;
      }
    } else if (path.get().isPresent()) {
      h.problem("path", "only an http check has a path");
      valid = false;
    }
    Optional<String> checkedPort = Optional.empty();
    if (type.get() == HealthCheck.Type.READY) {
      if (port.get().isPresent()) {
        h.problem("port", "a ready check probes no port");
        valid = false;
      }
    } else if (ports != null) {
      if (port.get().isPresent() && !ports.contains(port.get().get())) {
        h.problem(
            "port",
            "'"
                + port.get().get()
                + "' is not one of the ports ("
                + String.join(", ", ports)
                + ")");
        valid = false;
      } else if (port.get().isEmpty() && ports.isEmpty()) {
        h.problem(
            "type",
            type.get().name().toLowerCase(Locale.ROOT)
                + " checks need a port, and the service has none");
        valid = false;
      }
      checkedPort = port.get().or(() -> ports.stream().findFirst());
    }
    if (!valid) {
      return Optional.empty();
    }
    return Optional.of(
        new HealthCheck(type.get(), path.get(), checkedPort, interval.get(), timeout.get()));
  }
}
