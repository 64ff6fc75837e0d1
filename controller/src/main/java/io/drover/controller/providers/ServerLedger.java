package io.drover.controller.providers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.controller.state.DesiredState;
import io.drover.controller.state.SharedDesiredState;
import io.drover.controller.state.StateCommand;
import io.drover.provider.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The servers providers created, kept in the controller's desired state (logged and synced before a
 * change takes effect), so that a restart neither leaks nor forgets one.
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

  private final SharedDesiredState state;

  /**
   * @param legacyFile the JSON file earlier versions kept the servers in; imported once, then
   *     renamed to {@code .imported}
   */
  ServerLedger(SharedDesiredState state, Path legacyFile) {
    this.state = state;
    if (Files.exists(legacyFile)) {
      importLegacy(legacyFile);
    }
  }

  private void importLegacy(Path file) {
    try {
      List<Entry> stored = JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
      for (Entry e : stored) {
        if (state.read(s -> s.server(e.id())).isEmpty()) {
          state.submit(StateCommand.RecordServer.of(e.server(), e.joined()));
        }
      }
      Files.move(
          file,
          file.resolveSibling(file.getFileName() + ".imported"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot import the server ledger " + file + ": " + e.getMessage(), e);
    }
  }

  List<Entry> all() {
    return state.read(s -> s.servers().stream().map(ServerLedger::entry).toList());
  }

  Entry byNode(String nodeName) {
    return all().stream().filter(e -> e.nodeName().equals(nodeName)).findFirst().orElse(null);
  }

  void add(Server server, boolean joined) {
    state.submit(StateCommand.RecordServer.of(server, joined));
  }

  void joined(String id) {
    if (state.read(s -> s.server(id).map(p -> !p.joined()).orElse(false))) {
      state.submit(new StateCommand.ServerJoined(id));
    }
  }

  void remove(String id) {
    if (state.read(s -> s.server(id)).isPresent()) {
      state.submit(new StateCommand.ForgetServer(id));
    }
  }

  private static Entry entry(DesiredState.ProviderServer p) {
    Server s = p.server();
    return new Entry(
        s.id(), s.kind(), s.nodeName(), s.createdAt().toEpochMilli(), s.details(), p.joined());
  }
}
