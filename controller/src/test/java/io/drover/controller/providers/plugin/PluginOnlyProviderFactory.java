package io.drover.controller.providers.plugin;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import java.util.List;

/**
 * A provider that only a plugin jar registers (the test classpath's services files do not name it):
 * kind {@code plugged}. Its setting {@code secret} decides whether its environment accepts its
 * credentials.
 */
public final class PluginOnlyProviderFactory implements ServerProviderFactory {
  @Override
  public String kind() {
    return "plugged";
  }

  @Override
  public List<String> credentialKeys() {
    return List.of("provider.plugged.secret");
  }

  @Override
  public ServerProvider create(ProviderContext context) {
    boolean refused = !"right".equals(context.settings().get("secret"));
    return new ServerProvider() {
      @Override
      public String kind() {
        return "plugged";
      }

      @Override
      public boolean canProvision() {
        return true;
      }

      @Override
      public boolean canRelease() {
        return true;
      }

      @Override
      public List<Server> provision(ProvisionRequest request) throws ProviderException {
        return list();
      }

      @Override
      public void release(Server server) {}

      @Override
      public List<Server> list() throws ProviderException {
        if (refused) {
          throw new ProviderException(
              ProviderException.Kind.AUTH, "plugged list: InvalidSecret: the secret is wrong");
        }
        return List.of();
      }

      @Override
      public void close() {}
    };
  }
}
