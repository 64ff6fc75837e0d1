package io.drover.agent.containers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The bind test: a port is free only if this agent can bind it on every interface right now. The
 * controller hands a port to an instance only after this test passed on the node.
 */
public final class PortProbe {
  private PortProbe() {}

  /** The ports of {@code ports} that cannot be bound. */
  public static List<Integer> busy(List<Integer> ports) {
    List<Integer> busy = new ArrayList<>();
    for (int port : ports) {
      if (!isFree(port)) {
        busy.add(port);
      }
    }
    return busy;
  }

  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Without SO_REUSEADDR a port in TIME_WAIT counts as taken, as it would for the service.
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
