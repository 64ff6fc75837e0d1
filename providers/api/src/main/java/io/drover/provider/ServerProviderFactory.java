package io.drover.provider;

import java.util.List;

/**
 * Creates a provider of one kind; found with {@link java.util.ServiceLoader}, so that a cloud
 * provider is added by putting its jar on the controller's plugin path.
 */
public interface ServerProviderFactory {
  String kind();

  ServerProvider create(ProviderContext context) throws ProviderException;

  /**
   * The full keys ({@code provider.ec2.accessKeyId}) that choose the credentials, so that an error
   * about refused credentials names them; empty for a provider without credentials.
   */
  default List<String> credentialKeys() {
    return List.of();
  }
}
