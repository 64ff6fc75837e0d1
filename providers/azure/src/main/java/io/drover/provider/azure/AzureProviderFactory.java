package io.drover.provider.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;

/**
 * Registered for {@link java.util.ServiceLoader}: the provider kind {@code azure}, authenticated
 * through azure-identity's default chain (environment, workload identity, managed identity, the
 * Azure CLI's login, ...).
 */
public final class AzureProviderFactory implements ServerProviderFactory {
  @Override
  public String kind() {
    return AzureServerProvider.KIND;
  }

  @Override
  public ServerProvider create(ProviderContext context) throws ProviderException {
    AzureSettings settings = AzureSettings.parse(context.settings());
    DefaultAzureCredentialBuilder credential = new DefaultAzureCredentialBuilder();
    settings.tenantId().ifPresent(credential::tenantId);
    settings.managedIdentityClientId().ifPresent(credential::managedIdentityClientId);
    return new AzureServerProvider(context, settings, credential.build());
  }

  /** With a credential of the caller's choosing instead of the default chain. */
  static ServerProvider create(ProviderContext context, TokenCredential credential)
      throws ProviderException {
    return new AzureServerProvider(context, AzureSettings.parse(context.settings()), credential);
  }

  @Override
  public java.util.List<String> credentialKeys() {
    return java.util.List.of("provider.azure.tenantId", "provider.azure.managedIdentityClientId");
  }
}
