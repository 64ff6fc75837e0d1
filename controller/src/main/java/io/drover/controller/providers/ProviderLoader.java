package io.drover.controller.providers;

import io.drover.common.config.ConfigException;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Finds the provider named by {@code provider.kind} among those on the classpath. */
public final class ProviderLoader {
  private ProviderLoader() {}

  /** Every jar directly in {@code dir} or in a {@code lib} directory one level below it. */
  static URL[] jars(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException("provider.pluginPath: " + dir + " is not a directory");
    }
    try (Stream<Path> files = Files.walk(dir, 3)) {
      return files
          .filter(f -> f.toString().endsWith(".jar"))
          .filter(
              f ->
                  f.getParent().equals(dir) || f.getParent().getFileName().toString().equals("lib"))
          .sorted()
          .map(ProviderLoader::url)
          .toArray(URL[]::new);
    } catch (IOException e) {
      throw new ConfigException("provider.pluginPath: cannot read " + dir + ": " + e.getMessage());
    }
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws ConfigException naming the key when the kind is unknown or its settings are wrong
   */
  public static ServerProvider load(String kind, ProviderContext context) {
    return load(kind, context, Optional.empty());
  }

  /**
   * @param pluginPath a directory whose jars (and their {@code lib/} directories) hold further
   *     providers; the controller's own jar carries no cloud SDK
   */
  public static ServerProvider load(
      String kind, ProviderContext context, Optional<Path> pluginPath) {
    ClassLoader loader = ProviderLoader.class.getClassLoader();
    if (pluginPath.isPresent()) {
      loader = new URLClassLoader(jars(pluginPath.get()), loader);
    }
    List<ServerProviderFactory> found = new ArrayList<>();
    ServiceLoader.load(ServerProviderFactory.class, loader).forEach(found::add);
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
              + " (cloud providers are plugins: set provider.pluginPath to the directory of their"
              + " jars)");
    }
    try {
      return factory.create(context);
    } catch (ProviderException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
