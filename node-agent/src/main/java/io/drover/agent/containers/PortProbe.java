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
   * The ports of {@code ports} on which another socket listens: binding fails even with {@code
   * SO_REUSEADDR}, as almost every server binds. Connections in TIME_WAIT, such as those a crashed
   * service leaves on its own port, do not count: they make {@link #busy} fail, but do not keep the
   * service from binding again.
   */
  public static List<Integer> listening(List<Integer> ports) {
    List<Integer> held = new ArrayList<>();
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
      } catch (IOException e) {
        held.add(port);
      }
    }
    return held;
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
