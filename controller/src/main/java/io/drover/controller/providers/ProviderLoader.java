package io.drover.controller.providers;

import io.drover.common.config.ConfigException;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds the provider named by {@code provider.kind} among those on the classpath. */
public final class ProviderLoader {
  private ProviderLoader() {}

  /**
   * @throws ConfigException naming the key when the kind is unknown or its settings are wrong
   */
  public static ServerProvider load(String kind, ProviderContext context) {
    List<ServerProviderFactory> found = new ArrayList<>();
    ServiceLoader.load(ServerProviderFactory.class, ProviderLoader.class.getClassLoader())
        .forEach(found::add);
    ServerProviderFactory factory =
        found.stream().filter(f -> f.kind().equals(kind)).findFirst().orElse(null);
    if (factory == null) {
      TreeSet<String> known = new TreeSet<>();
      found.forEach(f -> known.add(f.kind()));
      throw new ConfigException(
          "provider.kind: no provider '"
              + kind
              + "' on the controller's classpath; known: "
              + String.join(", ", known)
              + " (cloud providers are plugins: put their jar on the classpath)");
    }
    try {
      return factory.create(context);
    } catch (ProviderException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
