package io.drover.controller.catalog;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The services the controller must run and the JVM profiles they start with. The profile {@code
 * default} is always present: the built-in one unless the catalog defines its own.
 */
public record Catalog(List<ServiceSpec> services, Map<String, JvmProfileSpec> profiles) {

  public Catalog {
    services = Copies.list(services);
    Map<String, JvmProfileSpec> withDefault = new LinkedHashMap<>();
    if (!profiles.containsKey(JvmProfileSpec.DEFAULT_NAME)) {
      withDefault.put(JvmProfileSpec.DEFAULT_NAME, JvmProfileSpec.DEFAULT);
    }
    withDefault.putAll(profiles);
    profiles = Copies.map(withDefault);
    profiles.forEach(
        (name, profile) -> {
          if (!name.equals(profile.name())) {
            throw new IllegalArgumentException("profile " + profile.name() + " filed as " + name);
          }
        });
    Set<String> names = new HashSet<>();
    for (ServiceSpec service : services) {
      if (!names.add(service.name())) {
        throw new IllegalArgumentException("two services are named " + service.name());
      }
      if (!profiles.containsKey(service.profile())) {
        throw new IllegalArgumentException(
            service.name() + " uses profile " + service.profile() + ", which does not exist");
      }
    }
  }

  /** A catalog that runs nothing. */
  public static Catalog empty() {
    return new Catalog(List.of(), Map.of());
  }

  public Optional<ServiceSpec> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The profile a service starts with. */
  public JvmProfileSpec profileOf(ServiceSpec service) {
    return profiles.get(service.profile());
  }

  /**
   * SHA-256 of the content, as 64 hex digits: equal for equal catalogs whatever the order of
   * services, profiles and map entries, across runs and versions of the JVM. Use it to tell whether
   * a new catalog changes anything.
   */
  public String contentHash() {
    return CatalogHash.of(this);
  }
}
