package io.drover.common.net;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a node-local link listens: a Unix domain socket ({@code unix:/var/lib/drover/agent/...}) or
 * a TCP address ({@code 127.0.0.1:PORT}). The agent puts it in each container's environment as
 * {@code DROVER_AGENT_LINK}; it stays the same across restarts of the agent, so that containers
 * find their agent again.
 *
 * @param socket the Unix socket's path, or null for TCP
 * @param tcp the TCP address, or null for a Unix socket
 */
public record LinkAddress(Path socket, HostPort tcp) {
  public static final String UNIX_PREFIX = "unix:";

  public LinkAddress {
    if ((socket == null) == (tcp == null)) {
      throw new IllegalArgumentException("a link address is either a Unix socket or HOST:PORT");
    }
    if (socket != null && !socket.isAbsolute()) {
      throw new IllegalArgumentException("the Unix socket path must be absolute: " + socket);
    }
  }

  public static LinkAddress unix(Path socket) {
    return new LinkAddress(socket, null);
  }

  public static LinkAddress tcp(HostPort address) {
    return new LinkAddress(null, address);
  }

  /**
   * Parses {@code unix:/ABSOLUTE/PATH} or {@code HOST:PORT}.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static LinkAddress parse(String text) {
    String value = text == null ? "" : text.trim();
    if (value.startsWith(UNIX_PREFIX)) {
      String path = value.substring(UNIX_PREFIX.length());
      // unix:///path is the URI form gRPC also accepts.
      while (path.startsWith("//")) {
        path = path.substring(1);
      }
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException("'" + value + "' is not unix:/ABSOLUTE/PATH");
      }
      return unix(Path.of(path));
    }
    return tcp(HostPort.parse(value));
  }

  public boolean isUnix() {
    return socket != null;
  }

  public Optional<Path> unixSocket() {
    return Optional.ofNullable(socket);
  }

  @Override
  public String toString() {
    return socket != null ? UNIX_PREFIX + socket : tcp.toString();
  }
}
