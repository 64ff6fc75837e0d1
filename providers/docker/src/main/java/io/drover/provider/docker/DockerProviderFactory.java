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
    DockerSettings settings = DockerSettings.parse(context.settings(), System.getenv());
    try {
      return new DockerServerProvider(context, settings);
    } catch (RuntimeException e) {
      // docker-java reads the client certificate while it builds its HTTP client.
      throw new ProviderException(
          ProviderException.Kind.CONFIG,
          DockerSettings.PREFIX
              + (settings.tlsVerify() ? "certPath" : "host")
              + ": cannot set up the Docker client"
              + settings.certPath().map(p -> " with the certificates in " + p).orElse("")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public java.util.List<String> credentialKeys() {
    return java.util.List.of(
        "provider.docker.host", "provider.docker.tlsVerify", "provider.docker.certPath");
  }
}
