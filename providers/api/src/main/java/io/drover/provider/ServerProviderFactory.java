package io.drover.provider;

/**
 * Creates a provider of one kind; found with {@link java.util.ServiceLoader}, so that a cloud
 * provider is added by putting its jar on the controller's plugin path.
 */
public interface ServerProviderFactory {
  String kind();

  ServerProvider create(ProviderContext context) throws ProviderException;
}
