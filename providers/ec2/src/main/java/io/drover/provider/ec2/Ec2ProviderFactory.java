package io.drover.provider.ec2;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;

/** Creates the {@code ec2} provider; listed in {@code META-INF/services}. */
public final class Ec2ProviderFactory implements ServerProviderFactory {
  @Override
  public String kind() {
    return Ec2ServerProvider.KIND;
  }

  @Override
  public ServerProvider create(ProviderContext context) throws ProviderException {
    if (context.clusterName() == null || context.clusterName().isBlank()) {
      throw new ProviderException(
          Kind.CONFIG, "cluster name: missing; it tags every instance the ec2 provider creates");
    }
    if (context.controllerAddress() == null || context.controllerAddress().isBlank()) {
      throw new ProviderException(
          Kind.CONFIG, "controller address: missing; new agents are told to connect to it");
    }
    Ec2Settings settings = Ec2Settings.parse(context.settings());
    try {
      return new Ec2ServerProvider(context, settings);
    } catch (RuntimeException e) {
      throw new ProviderException(
          Kind.CONFIG, "provider.ec2: cannot create the EC2 client: " + e.getMessage(), e);
    }
  }

  @Override
  public java.util.List<String> credentialKeys() {
    return java.util.List.of("provider.ec2.accessKeyId", "provider.ec2.secretAccessKey");
  }
}
