package io.drover.provider;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a provider is given when it is created.
 *
 * @param controllerAddress HOST:PORT new agents connect to
 * @param dataDir a directory of the controller's that the provider may use
 * @param settings the provider's own settings, the keys under {@code provider.KIND.} without that
 *     prefix; a factory reports a wrong one as {@link ProviderException.Kind#CONFIG} naming the
 *     full key
 * @param clusterName tags every server the provider creates, so that several clusters can share an
 *     account without touching each other's servers
 */
public record ProviderContext(
    String controllerAddress, Path dataDir, Map<String, String> settings, String clusterName) {
  public ProviderContext {
    settings = Map.copyOf(settings);
  }
}
