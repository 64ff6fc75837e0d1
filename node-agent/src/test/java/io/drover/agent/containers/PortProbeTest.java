package io.drover.agent.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortProbeTest {
  @Test
  void aPortAnotherSocketListensOnIsBusy() throws IOException {
    try (ServerSocket foreign = new ServerSocket(0)) {
      int port = foreign.getLocalPort();

      assertThat(PortProbe.busy(List.of(port))).containsExactly(port);
      assertThat(PortProbe.isFree(port)).isFalse();
    }
  }

  @Test
  void connectionsInTimeWaitThatAStoppedServiceLeftDoNotMakeItsPortBusy() throws IOException {
    int port;
    try (ServerSocket service = new ServerSocket()) {
      service.setReuseAddress(true);
      service.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = service.getLocalPort();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
          Socket accepted = service.accept()) {
        // The service closes first, as a stopping server does: its side enters TIME_WAIT.
        accepted.close();
        client.getInputStream().read();
      }
    }
    assertThat(timeWaitOn(port)).as("a connection in TIME_WAIT on port %d", port).isTrue();

    assertThat(PortProbe.busy(List.of(port))).isEmpty();
  }

  /** Whether the kernel lists a TCP connection in TIME_WAIT (state 06) on the local port. */
  private static boolean timeWaitOn(int port) throws IOException {
    String local = String.format(":%04X ", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && (f[1] + " ").endsWith(local) && f[3].equals("06")) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
