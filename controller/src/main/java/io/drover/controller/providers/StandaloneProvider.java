package io.drover.controller.providers;

import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import java.util.List;

/**
 * A fixed fleet whose agents are installed by hand or by systemd: it never adds a server and never
 * deletes one. The default.
 */
public final class StandaloneProvider implements ServerProvider {
  @Override
  public String kind() {
    return "standalone";
  }

  @Override
  public boolean canProvision() {
    return false;
  }

  @Override
  public boolean canRelease() {
    return false;
  }

  @Override
  public List<Server> provision(ProvisionRequest request) throws ProviderException {
    throw new ProviderException(
        ProviderException.Kind.CONFIG,
        "the standalone provider adds no servers; install an agent on another server, or set"
            + " provider.kind");
  }

  @Override
  public void release(Server server) {
    // Standalone servers are the operator's: never deleted.
  }

  @Override
  public List<Server> list() {
    return List.of();
  }

  @Override
  public void close() {}

  /** Registered for {@link java.util.ServiceLoader}. */
  public static final class Factory implements ServerProviderFactory {
    @Override
    public String kind() {
      return "standalone";
    }

    @Override
    public ServerProvider create(ProviderContext context) {
      return new StandaloneProvider();
    }
  }
}
