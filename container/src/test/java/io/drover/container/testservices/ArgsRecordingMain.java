package io.drover.container.testservices;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain-main test service that trusts only its arguments: it writes them, one per line, to the
 * file named by the first, and listens on loopback at the port given by the last (never at the
 * {@code drover.port} system property). It accepts one connection, the launcher's readiness probe,
 * and closes.
 */
public final class ArgsRecordingMain {
  private ArgsRecordingMain() {}

  public static void main(String[] args) throws IOException {
    Files.write(Path.of(args[0]), List.of(args));
    int port = Integer.parseInt(args[args.length - 1]);
    ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try (server) {
                server.accept().close();
              } catch (IOException ignored) {
                // closed: nothing more to accept
              }
            },
            "args-recording-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }
}
