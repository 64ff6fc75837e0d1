package io.drover.controller.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed YAML tree to a {@link Catalog}: the two sections, then the rules that span services
 * (unique names, existing profiles, enough memory for the heap).
 */
final class CatalogReader {
  static final List<String> KEYS = List.of("profiles", "services");

  private final Problems problems;

  private CatalogReader(Problems problems) {
    this.problems = problems;
  }

  /**
   * Reads the tree, or throws every problem found in it and those already in {@code problems}.
   *
   * @param documentAt where to point when the document is empty
   * @param root the document, empty when there was none or it was not valid YAML
   */
  static Catalog read(Position documentAt, Optional<YamlNode> root, Problems problems) {
    if (root.isEmpty()) {
      if (problems.isEmpty()) {
        problems.add(
            documentAt,
            "services",
            "missing: the catalog is empty; write services: [] for a catalog that runs nothing");
      }
      problems.throwIfAny();
    }
    if (!(root.get() instanceof YamlNode.Mapping mapping)) {
      problems.add(
          root.get().position(),
          "the catalog must be a mapping with the keys profiles and services, not "
              + root.get().describe());
      problems.throwIfAny();
      throw new IllegalStateException("unreachable");
    }
    return new CatalogReader(problems).read(mapping);
  }

  private Catalog read(YamlNode.Mapping mapping) {
    Fields root = Fields.of(mapping, "", problems, KEYS).orElseThrow();
    Set<String> declaredProfiles = new LinkedHashSet<>();
    declaredProfiles.add(JvmProfileSpec.DEFAULT_NAME);
    Map<String, JvmProfileSpec> profiles = new LinkedHashMap<>();
    Optional<YamlNode> profilesNode = root.node("profiles");
    if (profilesNode.isPresent()) {
      if (profilesNode.get() instanceof YamlNode.Mapping m) {
        m.entries().forEach(e -> declaredProfiles.add(e.key()));
        profiles.putAll(new ProfileReader(problems).readAll(m));
      } else {
        root.problem(
            "profiles",
            "expected a mapping of profile names to profiles, found "
                + profilesNode.get().describe());
      }
    }
    List<ServiceDraft> services = readServices(root, declaredProfiles);
    checkMemoryForHeap(services, profiles);
    problems.throwIfAny();
    return new Catalog(services.stream().map(ServiceDraft::spec).toList(), profiles);
  }

  private List<ServiceDraft> readServices(Fields root, Set<String> declaredProfiles) {
    List<ServiceDraft> drafts = new ArrayList<>();
    Optional<YamlNode> node = root.node("services");
    if (node.isEmpty()) {
      root.problem("services", "missing; write services: [] for a catalog that runs nothing");
      return drafts;
    }
    if (!(node.get() instanceof YamlNode.Sequence list)) {
      root.problem("services", "expected a list of services, found " + node.get().describe());
      return drafts;
    }
    if (list.items().size() > CatalogRules.MAX_SERVICES) {
      root.problem(
          "services",
          "at most " + CatalogRules.MAX_SERVICES + " services, not " + list.items().size());
      return drafts;
    }
    ServiceReader reader = new ServiceReader(problems, declaredProfiles);
    for (int i = 0; i < list.items().size(); i++) {
      reader.read(list.items().get(i), i).ifPresent(drafts::add);
    }
    return drafts;
  }

  /** The heap must fit in the container; needs both the service and its profile valid. */
  private void checkMemoryForHeap(
      List<ServiceDraft> services, Map<String, JvmProfileSpec> profiles) {
    for (ServiceDraft draft : services) {
      ServiceSpec spec = draft.spec();
      JvmProfileSpec profile = profiles.get(spec.profile());
      if (profile == null && spec.profile().equals(JvmProfileSpec.DEFAULT_NAME)) {
        profile = JvmProfileSpec.DEFAULT;
      }
      if (profile != null && spec.resources().memoryMb() < profile.heapMb()) {
        problems.add(
            draft.memoryAt(),
            draft.path() + ".resources.memoryMb",
            spec.resources().memoryMb()
                + " MiB is less than the "
                + profile.heapMb()
                + " MiB heap of profile '"
                + profile.name()
                + "'");
      }
    }
  }
}
