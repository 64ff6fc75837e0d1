package io.drover.agent.containers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What the agent keeps on disk of one container, so that a restarted agent can adopt it again: who
 * the process is (pid, start time, a hash of its arguments), how it authenticates (the secret),
 * what it runs (the assignment, so that it can be restarted) and how it fared. The profile and the
 * assignment are their protobuf bytes in base64; service, instance and ports are repeated in clear
 * for people reading the file.
 *
 * @param processStartMs the process's start time as the operating system reports it
 * @param argumentsSha256 sha256 of the process's arguments (see {@link ProcessProbe})
 * @param startedAtMs when the agent started the container (reported as {@code started_at_ms})
 * @param state the state last reported, e.g. {@code RUNNING}
 * @param profile the {@code JvmProfile}, base64 of its protobuf bytes
 * @param assignment the {@code ServiceAssignment}, base64 of its protobuf bytes; empty when none
 * @param instanceRan whether its instance has run (been RUNNING) on this node: a crash of it is
 *     restarted in place
 * @param restartAtMs for a dead container whose instance waits for its restart: when it is due
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StoredContainer(
    int version,
    String containerId,
    String secret,
    long pid,
    long processStartMs,
    String argumentsSha256,
    long startedAtMs,
    String state,
    String profileName,
    String profile,
    String service,
    String instanceId,
    List<Port> ports,
    String assignment,
    boolean cold,
    boolean onDemand,
    boolean stopRequested,
    boolean instanceRan,
    int restarts,
    String lastError,
    long restartAtMs) {
  public static final int VERSION = 1;

  /** A port of the assignment, for people; the assignment itself is the reference. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Port(String name, int port) {}

  /** The problem that makes the record unusable, or null if it is sound. */
  String problem() {
    if (version != VERSION) {
      return "version " + version + " is not " + VERSION;
    }
    if (containerId == null || !containerId.matches("[A-Za-z0-9_-]{1,64}")) {
      return "containerId '" + containerId + "' is not a container id";
    }
    if (secret == null || secret.isEmpty()) {
      return "no secret";
    }
    if (pid <= 0) {
      return "pid " + pid + " is not a process id";
    }
    if (profile == null || state == null) {
      return "no profile or state";
    }
    return null;
  }
}
