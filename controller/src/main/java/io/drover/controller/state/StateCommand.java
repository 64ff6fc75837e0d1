package io.drover.controller.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.controller.artifacts.ArtifactInfo;
import io.drover.provider.Server;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A change to the {@link DesiredState}; the only way it changes. Each command checks its fields
 * when it is built and throws {@link InvalidArgumentException} naming the field, so a bad command
 * never reaches the log. Times are milliseconds since the epoch, carried in the command so that
 * applying it reads no clock. Applying any command twice leaves the state as applying it once.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StateCommand.SetScale.class, name = "set-scale"),
  @JsonSubTypes.Type(value = StateCommand.ClearScale.class, name = "clear-scale"),
  @JsonSubTypes.Type(value = StateCommand.Cordon.class, name = "cordon"),
  @JsonSubTypes.Type(value = StateCommand.Uncordon.class, name = "uncordon"),
  @JsonSubTypes.Type(value = StateCommand.StartDrain.class, name = "start-drain"),
  @JsonSubTypes.Type(value = StateCommand.EndDrain.class, name = "end-drain"),
  @JsonSubTypes.Type(value = StateCommand.RecordServer.class, name = "record-server"),
  @JsonSubTypes.Type(value = StateCommand.ServerJoined.class, name = "server-joined"),
  @JsonSubTypes.Type(value = StateCommand.ForgetServer.class, name = "forget-server"),
  @JsonSubTypes.Type(value = StateCommand.RecordEpoch.class, name = "record-epoch"),
  @JsonSubTypes.Type(value = StateCommand.AddArtifact.class, name = "add-artifact"),
  @JsonSubTypes.Type(
      value = StateCommand.ReserveInstanceNumbers.class,
      name = "reserve-instance-numbers"),
  @JsonSubTypes.Type(value = StateCommand.AddJoinToken.class, name = "add-join-token"),
  @JsonSubTypes.Type(value = StateCommand.UseJoinToken.class, name = "use-join-token"),
  @JsonSubTypes.Type(value = StateCommand.IssueCertificate.class, name = "issue-certificate"),
  @JsonSubTypes.Type(value = StateCommand.RevokeNode.class, name = "revoke-node"),
  @JsonSubTypes.Type(value = StateCommand.AddToken.class, name = "add-token"),
})
public sealed interface StateCommand {

  /** Sets the scale of a service (the operator's or the autoscaler's), overriding its initial. */
  record SetScale(String service, int replicas) implements StateCommand {
    public SetScale {
      name("service", service);
      atLeast("replicas", replicas, 0);
    }
  }

  /** Drops a service's scale, e.g. when it left the catalog: it starts again at its initial. */
  record ClearScale(String service) implements StateCommand {
    public ClearScale {
      name("service", service);
    }
  }

  /** The node takes no new instances. */
  record Cordon(String nodeId) implements StateCommand {
    public Cordon {
      name("nodeId", nodeId);
    }
  }

  /** The node takes instances again; a drain of it ends. */
  record Uncordon(String nodeId) implements StateCommand {
    public Uncordon {
      name("nodeId", nodeId);
    }
  }

  /**
   * A drain of the node started; the node is cordoned. A drain already in progress is replaced.
   *
   * @param deadlineAtMs past it, what is left is stopped without a replacement; 0 for none
   * @param maxParallel how many instances move at a time
   */
  record StartDrain(String nodeId, long startedAtMs, long deadlineAtMs, int maxParallel)
      implements StateCommand {
    public StartDrain {
      name("nodeId", nodeId);
      atLeast("startedAtMs", startedAtMs, 0);
      if (deadlineAtMs != 0 && deadlineAtMs < startedAtMs) {
        throw new InvalidArgumentException(
            "deadlineAtMs", deadlineAtMs + " is before startedAtMs " + startedAtMs);
      }
      atLeast("maxParallel", maxParallel, 1);
    }

    public static StartDrain of(
        String nodeId, Instant startedAt, Optional<Instant> deadline, int maxParallel) {
      return new StartDrain(
          nodeId,
          startedAt.toEpochMilli(),
          deadline.map(Instant::toEpochMilli).orElse(0L),
          maxParallel);
    }
  }

  /** The drain of the node ended (it runs nothing more); the node stays cordoned. */
  record EndDrain(String nodeId) implements StateCommand {
    public EndDrain {
      name("nodeId", nodeId);
    }
  }

  /**
   * A provider created a server; recorded before anything else happens to it, so that a restart
   * neither leaks nor forgets it. Recording the same id again replaces the entry.
   *
   * @param joined whether its agent has joined
   */
  record RecordServer(
      String id,
      String kind,
      String nodeName,
      long createdAtMs,
      Map<String, String> details,
      boolean joined)
      implements StateCommand {
    public RecordServer {
      name("id", id);
      name("kind", kind);
      name("nodeName", nodeName);
      atLeast("createdAtMs", createdAtMs, 0);
      if (details == null) {
        details = Map.of();
      }
      details.forEach(
          (key, value) -> {
            if (key == null || value == null) {
              throw new InvalidArgumentException("details", "holds a null key or value");
            }
          });
      details = Map.copyOf(details);
    }

    public static RecordServer of(Server server, boolean joined) {
      return new RecordServer(
          server.id(),
          server.kind(),
          server.nodeName(),
          server.createdAt().toEpochMilli(),
          server.details(),
          joined);
    }
  }

  /** The agent of a recorded server joined; nothing happens for a server not recorded. */
  record ServerJoined(String id) implements StateCommand {
    public ServerJoined {
      name("id", id);
    }
  }

  /** A server was released (or found gone): forget it. */
  record ForgetServer(String id) implements StateCommand {
    public ForgetServer {
      name("id", id);
    }
  }

  /**
   * A session epoch was issued to the node. The state keeps the highest per node, so an epoch
   * issued later never goes below one issued before, even across restarts.
   */
  record RecordEpoch(String nodeId, long epoch) implements StateCommand {
    public RecordEpoch {
      name("nodeId", nodeId);
      atLeast("epoch", epoch, 1);
    }
  }

  /** A jar was stored; a sha256 already known keeps its first entry, as the artifact store does. */
  record AddArtifact(String sha256, String name, long sizeBytes, long addedAtMs)
      implements StateCommand {

    public AddArtifact {
      hex64("sha256", sha256);
      if (name == null || name.length() > 256) {
        throw new InvalidArgumentException("name", "must be given, at most 256 characters");
      }
      atLeast("sizeBytes", sizeBytes, 0);
      atLeast("addedAtMs", addedAtMs, 0);
    }

    public static AddArtifact of(ArtifactInfo info) {
      return new AddArtifact(
          info.sha256(), info.name(), info.sizeBytes(), info.storedAt().toEpochMilli());
    }
  }

  /**
   * Instance numbers up to {@code through} of the service are taken ({@code hello-1} to {@code
   * hello-<through>}), so that no id is handed out twice, even across restarts. The state keeps the
   * highest per service.
   */
  record ReserveInstanceNumbers(String service, int through) implements StateCommand {
    public ReserveInstanceNumbers {
      name("service", service);
      atLeast("through", through, 1);
    }
  }

  /**
   * A join token was created; only its sha256 is kept. Adding the same hash again changes nothing.
   *
   * @param uses how many joins it allows
   */
  record AddJoinToken(String sha256, long createdAtMs, long expiresAtMs, int uses)
      implements StateCommand {
    public AddJoinToken {
      hex64("sha256", sha256);
      atLeast("createdAtMs", createdAtMs, 0);
      atLeast("expiresAtMs", expiresAtMs, createdAtMs);
      atLeast("uses", uses, 1);
    }
  }

  /**
   * A join token was used: at most {@code remaining} uses are left. The state keeps the lowest, so
   * replaying it changes nothing.
   */
  record UseJoinToken(String sha256, int remaining) implements StateCommand {
    public UseJoinToken {
      hex64("sha256", sha256);
      atLeast("remaining", remaining, 0);
    }
  }

  /** A certificate was issued to the node; {@code serial} is hex. */
  record IssueCertificate(String nodeId, String serial, long notAfterMs) implements StateCommand {
    public IssueCertificate {
      name("nodeId", nodeId);
      name("serial", serial);
      atLeast("notAfterMs", notAfterMs, 0);
    }
  }

  /**
   * The node was removed: every certificate issued to it is revoked (refused at connect until it
   * expires), and its epoch, cordon and drain are forgotten.
   */
  record RevokeNode(String nodeId, long revokedAtMs) implements StateCommand {
    public RevokeNode {
      name("nodeId", nodeId);
      atLeast("revokedAtMs", revokedAtMs, 0);
    }
  }

  private static void hex64(String field, String value) {
    if (value == null || !value.matches("[0-9a-f]{64}")) {
      throw new InvalidArgumentException(field, "'" + value + "' is not 64 lowercase hex");
    }
  }

  /**
   * An API token was issued. Only its sha256 is kept; the token itself is shown once, to whoever
   * created it. A name already taken is replaced, so re-issuing a token revokes the old one.
   *
   * @param role {@code viewer}, {@code operator} or {@code admin}
   */
  record AddToken(String name, String role, String sha256, long createdAtMs)
      implements StateCommand {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public AddToken {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new InvalidArgumentException(
            "name",
            "'"
                + name
                + "' must be 1 to 64 letters, digits, '.', '_' or '-', after a letter or digit");
      }
      if (role == null
          || !(role.equals("viewer") || role.equals("operator") || role.equals("admin"))) {
        throw new InvalidArgumentException(
            "role", "'" + role + "' is not viewer, operator or admin");
      }
      hex64("sha256", sha256);
      atLeast("createdAtMs", createdAtMs, 0);
    }
  }

  private static void name(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidArgumentException(field, "must not be empty");
    }
  }

  private static void atLeast(String field, long value, long min) {
    if (value < min) {
      throw new InvalidArgumentException(field, value + " is less than " + min);
    }
  }
}
