package io.drover.common.net;

/** A host and a TCP port, written {@code host:port} ({@code [v6]:port} for IPv6 literals). */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses {@code host:port}, {@code [v6]:port} or {@code :port} (all interfaces).
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static HostPort parse(String text) {
    String value = text == null ? "" : text.trim();
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("'" + value + "' is not HOST:PORT");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' has no numeric port");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("'" + value + "': port " + port + " is outside 0-65535");
    }
    return new HostPort(host, port);
  }

  /** The address a local client uses to reach a server bound to this one. */
  public HostPort forLocalClient() {
    return isWildcard() ? new HostPort("127.0.0.1", port) : this;
  }

  public boolean isWildcard() {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
