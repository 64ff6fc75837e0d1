package io.drover.agent.containers;

import io.drover.v1.HealthCheck;
import io.drover.v1.PortBinding;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;

/** One run of an instance's health check, from the agent, on the node's loopback. */
final class HealthProbe {
  private HealthProbe() {}

  /**
   * Runs the check; blocks for at most about its timeout.
   *
   * @return null when it passes, else what failed
   */
  static String failure(HealthCheck check, List<PortBinding> ports) {
    if (check.getType() == HealthCheck.Type.TYPE_READY
        || check.getType() == HealthCheck.Type.TYPE_UNSPECIFIED
        || ports.isEmpty()) {
      return null;
    }
    int port = port(check.getPort(), ports);
    int timeout = Math.max(50, check.getTimeoutMs());
    if (check.getType() == HealthCheck.Type.TYPE_TCP) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeout);
        return null;
      } catch (IOException e) {
        return "TCP port " + port + ": " + e.getMessage();
      }
    }
    String path = check.getPath().isEmpty() ? "/" : check.getPath();
    HttpURLConnection http = null;
    try {
      http =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      http.setConnectTimeout(timeout);
      http.setReadTimeout(timeout);
      int status = http.getResponseCode();
      try (InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream()) {
        if (body != null) {
          body.readNBytes(4096);
        }
      }
      return status >= 200 && status < 300
          ? null
          : "GET " + path + " on port " + port + " answered " + status;
    } catch (IOException e) {
      return "GET " + path + " on port " + port + ": " + e.getMessage();
    } finally {
      if (http != null) {
        http.disconnect();
      }
    }
  }

  private static int port(String name, List<PortBinding> ports) {
    for (PortBinding binding : ports) {
      if (binding.getName().equals(name)) {
        return binding.getPort();
      }
    }
    return ports.get(0).getPort();
  }
}
