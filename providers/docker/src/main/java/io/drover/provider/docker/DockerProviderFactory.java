package io.drover.provider.docker;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;

/** Registered for {@link java.util.ServiceLoader}: the provider kind {@code docker}. */
public final class DockerProviderFactory implements ServerProviderFactory {
  @Override
  public String kind() {
    return DockerServerProvider.KIND;
  }

  @Override
  public ServerProvider create(ProviderContext context) throws ProviderException {
    return new DockerServerProvider(
        context, DockerSettings.parse(context.settings(), System.getenv()));
  }

  @Override
  public java.util.List<String> credentialKeys() {
    return java.util.List.of(
        "provider.docker.host", "provider.docker.tlsVerify", "provider.docker.certPath");
  }
}
