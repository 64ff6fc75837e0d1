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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the provider named by {@code provider.kind} among the built-in ones and the plugins in
 * {@code provider.pluginPath}, creates it, and checks at once that its environment accepts its
 * credentials.
 */
public final class ProviderLoader {
  private static final Logger log = LoggerFactory.getLogger(ProviderLoader.class);

  /**
   * How long start-up waits for the provider's first answer; an environment slower than that is
   * left to the fleet's own reconciliation, which reports errors as events.
   */
  static final Duration ACCESS_CHECK_TIMEOUT = Duration.ofSeconds(20);

  private ProviderLoader() {}

  /**
   * The plugins in {@code dir}, each as its jars: the jars directly in {@code dir} with those in
   * {@code dir/lib} are one plugin, and each other subdirectory with its own {@code lib/} is
   * another, so that {@code plugins/ec2/} and {@code plugins/azure/} keep their libraries apart.
   */
  static List<URL[]> plugins(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException("provider.pluginPath: " + dir + " is not a directory");
    }
    List<URL[]> plugins = new ArrayList<>();
    URL[] top = jarsOf(dir);
    if (top.length > 0) {
      plugins.add(top);
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path sub : children.filter(Files::isDirectory).sorted().toList()) {
        if (sub.getFileName().toString().equals("lib")) {
          continue;
        }
        URL[] jars = jarsOf(sub);
        if (jars.length > 0) {
          plugins.add(jars);
        }
      }
    } catch (IOException e) {
      throw new ConfigException("provider.pluginPath: cannot read " + dir + ": " + e.getMessage());
    }
    return plugins;
  }

  /** The jars directly in {@code dir} and in {@code dir/lib}. */
  private static URL[] jarsOf(Path dir) {
    List<Path> jars = new ArrayList<>();
    for (Path d : List.of(dir, dir.resolve("lib"))) {
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> files = Files.list(d)) {
        files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(jars::add);
      } catch (IOException e) {
        throw new ConfigException("provider.pluginPath: cannot read " + d + ": " + e.getMessage());
      }
    }
    return jars.stream().map(ProviderLoader::url).toArray(URL[]::new);
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
   * @param pluginPath a directory of provider plugins (see {@link #plugins}); the controller's own
   *     jar carries no cloud SDK
   * @throws ConfigException naming the key when the kind is unknown, its settings are wrong, or its
   *     environment refuses its credentials
   */
  public static ServerProvider load(
      String kind, ProviderContext context, Optional<Path> pluginPath) {
    List<ServerProviderFactory> found = factories(pluginPath);
    List<ServerProviderFactory> matching =
        found.stream().filter(f -> f.kind().equals(kind)).toList();
    if (matching.isEmpty()) {
      TreeSet<String> known = new TreeSet<>();
      found.forEach(f -> known.add(f.kind()));
      throw new ConfigException(
          "provider.kind: no provider '"
              + kind
              + "' on the controller's classpath"
              + pluginPath.map(p -> " or in " + p).orElse("")
              + "; known: "
              + String.join(", ", known)
              + " (cloud providers are plugins: set provider.pluginPath to the directory of their"
              + " jars)");
    }
    if (matching.size() > 1) {
      throw new ConfigException(
          "provider.pluginPath: "
              + matching.size()
              + " plugins provide '"
              + kind
              + "': "
              + matching.stream()
                  .map(f -> f.getClass().getName() + " from " + source(f))
                  .collect(Collectors.joining(", ")));
    }
    ServerProviderFactory factory = matching.get(0);
    ServerProvider provider;
    try {
      provider = factory.create(context);
    } catch (ProviderException e) {
      throw new ConfigException(e.getMessage());
    }
    checkAccess(factory, provider);
    return provider;
  }

  private static List<ServerProviderFactory> factories(Optional<Path> pluginPath) {
    ClassLoader own = ProviderLoader.class.getClassLoader();
    List<ServerProviderFactory> found = new ArrayList<>();
    ServiceLoader.load(ServerProviderFactory.class, own).forEach(found::add);
    if (pluginPath.isPresent()) {
      for (URL[] plugin : plugins(pluginPath.get())) {
        // One loader per plugin; a factory the parent already found is not counted twice.
        ServiceLoader.load(ServerProviderFactory.class, new URLClassLoader(plugin, own))
            .forEach(
                f -> {
                  if (found.stream().noneMatch(g -> g.getClass() == f.getClass())) {
                    found.add(f);
                  }
                });
      }
    }
    return found;
  }

  private static String source(ServerProviderFactory f) {
    var location = f.getClass().getProtectionDomain().getCodeSource();
    return location == null ? "?" : String.valueOf(location.getLocation());
  }

  /**
   * Asks the environment for the provider's servers once: refused credentials stop the start with
   * the keys that choose them; any other failure is left to the fleet, which retries and reports.
   */
  private static void checkAccess(ServerProviderFactory factory, ServerProvider provider) {
    if (!provider.canProvision()) {
      return;
    }
    CompletableFuture<Void> listed = new CompletableFuture<>();
    Thread check =
        new Thread(
            () -> {
              try {
                provider.list();
                listed.complete(null);
              } catch (ProviderException | RuntimeException e) {
                listed.completeExceptionally(e);
              }
            },
            "drover-provider-check");
    check.setDaemon(true);
    check.start();
    try {
      listed.get(ACCESS_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProviderException
          && ((ProviderException) e.getCause()).kind() == ProviderException.Kind.AUTH) {
        provider.close();
        List<String> keys = factory.credentialKeys();
        throw new ConfigException(
            (keys.isEmpty() ? "provider." + factory.kind() : String.join(", ", keys))
                + ": "
                + factory.kind()
                + " refused the credentials at start-up"
                + (keys.isEmpty() ? "" : " (these keys, or the default chain where they are unset)")
                + ": "
                + e.getCause().getMessage());
      }
      log.warn(
          "{} provider could not list its servers at start-up: {}",
          factory.kind(),
          e.getCause().getMessage());
    } catch (TimeoutException e) {
      log.warn(
          "{} provider did not answer within {} s at start-up; going on",
          factory.kind(),
          ACCESS_CHECK_TIMEOUT.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      provider.close();
      throw new ConfigException("provider.kind: interrupted while checking " + factory.kind());
    }
  }
}
