package io.drover.controller.providers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.provider.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers providers created, kept in the controller's data dir so that a restart neither leaks
 * nor forgets one. Every change is written whole to a temporary file, synced, and renamed over the
 * old one. Not thread-safe: the fleet owns it.
 */
final class ServerLedger {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One server as recorded. */
  record Entry(
      String id,
      String kind,
      String nodeName,
      long createdAtMs,
      Map<String, String> details,
      boolean joined) {
    Server server() {
      return new Server(id, kind, nodeName, Instant.ofEpochMilli(createdAtMs), details);
    }
  }

  private final Path file;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  ServerLedger(Path file) {
    this.file = file;
    if (Files.exists(file)) {
      try {
        List<Entry> stored = JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
        stored.forEach(e -> entries.put(e.id(), e));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the server ledger " + file + ": " + e.getMessage(), e);
      }
    }
  }

  List<Entry> all() {
    return List.copyOf(entries.values());
  }

  Entry byNode(String nodeName) {
    return entries.values().stream()
        .filter(e -> e.nodeName().equals(nodeName))
        .findFirst()
        .orElse(null);
  }

  void add(Server server, boolean joined) {
    entries.put(
        server.id(),
        new Entry(
            server.id(),
            server.kind(),
            server.nodeName(),
            server.createdAt().toEpochMilli(),
            server.details(),
            joined));
    save();
  }

  void joined(String id) {
    Entry e = entries.get(id);
    if (e != null && !e.joined()) {
      entries.put(
          id, new Entry(e.id(), e.kind(), e.nodeName(), e.createdAtMs(), e.details(), true));
      save();
    }
  }

  void remove(String id) {
    if (entries.remove(id) != null) {
      save();
    }
  }

  private void save() {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(
          tmp,
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(new ArrayList<>(entries.values())));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the server ledger " + file, e);
    }
  }
}
