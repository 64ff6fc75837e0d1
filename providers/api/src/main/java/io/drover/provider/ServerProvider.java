package io.drover.provider;

import java.util.List;

/**
 * Obtains and releases servers: a fixed fleet, agent processes on this machine, or cloud machines.
 * Each server runs an agent that joins the controller under {@link Server#nodeName()}. The
 * controller calls these methods off its scheduling thread; they may block on I/O.
 */
public interface ServerProvider extends AutoCloseable {
  /** {@code standalone}, {@code local}, {@code ec2}, ... */
  String kind();

  /** Whether {@link #provision} can add servers at all; a standalone fleet cannot. */
  boolean canProvision();

  /** Whether {@link #release} may remove servers; standalone servers are never deleted. */
  boolean canRelease();

  /**
   * Starts creating servers and returns them at once, before their agents have joined.
   *
   * @throws ProviderException with the environment's own message when it refuses
   */
  List<Server> provision(ProvisionRequest request) throws ProviderException;

  /** Releases a server this provider created. A server that is already gone is no error. */
  void release(Server server) throws ProviderException;

  /**
   * Every server this provider owns now, as its environment reports it: after a controller restart
   * this is how no server is leaked or forgotten.
   */
  List<Server> list() throws ProviderException;

  /** Stops using the environment; servers stay as they are. */
  @Override
  void close();
}
