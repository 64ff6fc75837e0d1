package io.drover.agent.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The node's stable id: created on first start and kept in the data dir, so that a restarted agent
 * is the same node to the controller (and keeps its epochs and instances).
 */
public final class NodeIdentity {
  static final String FILE = "node-id";

  private NodeIdentity() {}

  public static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!id.matches("[0-9a-f-]{36}")) {
          throw new IllegalStateException(
              file
                  + " holds '"
                  + id
                  + "', which is not a node id; remove the file to get a new id");
        }
        return id;
      }
      Files.createDirectories(dataDir);
      String id = UUID.randomUUID().toString();
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the node id in " + dataDir + ": " + e, e);
    }
  }
}
