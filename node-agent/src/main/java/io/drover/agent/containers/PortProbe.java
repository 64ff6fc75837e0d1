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

  /**
   * Whether a service could bind the port now. Binds with {@code SO_REUSEADDR}, as the JVM's server
   * sockets do by default on Linux: another socket listening on the port (or bound without that
   * option) makes it fail, while connections in TIME_WAIT, which every stopped service leaves
   * behind on its port for a minute, do not. Without the option such a port counted as taken by a
   * foreign process and was held back for {@code ports.foreignHold}.
   */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
