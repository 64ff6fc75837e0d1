package io.drover.controller.state;

import io.drover.controller.artifacts.ArtifactInfo;
import io.drover.provider.Server;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the controller decided and must not forget across restarts: scale overrides per service,
 * cordons and drains per node, the servers providers created, the highest session epoch issued per
 * node, the artifact index, and the instance numbers taken per service. Actual state (nodes,
 * containers, instances) is not here: agents report it.
 *
 * <p>Callers read it; only {@link StateCommand}s submitted to the {@link DesiredStateStore} change
 * it. Not thread-safe: read it on the thread that submits. Collections returned are copies.
 */
public final class DesiredState {

  /**
   * A drain in progress.
   *
   * @param deadline past it, what is left on the node is stopped without a replacement
   */
  public record Drain(
      String nodeId, Instant startedAt, Optional<Instant> deadline, int maxParallel) {}

  /** A server a provider created, and whether its agent has joined. */
  public record ProviderServer(Server server, boolean joined) {}

  /** The whole state as plain data: what a snapshot holds. */
  record Image(
      Map<String, Integer> scales,
      Set<String> cordoned,
      Map<String, StateCommand.StartDrain> drains,
      Map<String, StateCommand.RecordServer> servers,
      Map<String, Long> epochs,
      Map<String, StateCommand.AddArtifact> artifacts,
      Map<String, Integer> instanceNumbers,
      Map<String, StateCommand.AddJoinToken> joinTokens,
      Map<String, Integer> joinTokenUses,
      Map<String, StateCommand.IssueCertificate> certificates,
      Map<String, Long> revokedSerials,
      Map<String, StateCommand.AddToken> tokens) {
    Image {
      required("scales", scales);
      required("cordoned", cordoned);
      required("drains", drains);
      required("servers", servers);
      required("epochs", epochs);
      required("artifacts", artifacts);
      required("instanceNumbers", instanceNumbers);
      // Added with TLS: a snapshot written before has none of them.
      joinTokens = joinTokens == null ? Map.of() : joinTokens;
      joinTokenUses = joinTokenUses == null ? Map.of() : joinTokenUses;
      certificates = certificates == null ? Map.of() : certificates;
      revokedSerials = revokedSerials == null ? Map.of() : revokedSerials;
      // Added with the roles: a snapshot written before has no API tokens.
      tokens = tokens == null ? Map.of() : tokens;
    }

    private static void required(String field, Object value) {
      if (value == null) {
        throw new IllegalArgumentException("snapshot field " + field + " is missing");
      }
    }
  }

  /**
   * A join token as the controller knows it: by hash only.
   *
   * @param remaining joins it still allows
   */
  public record JoinTokenState(
      String sha256, Instant createdAt, Instant expiresAt, int remaining) {}

  private long index;
  private final TreeMap<String, Integer> scales = new TreeMap<>();
  private final TreeSet<String> cordoned = new TreeSet<>();
  private final TreeMap<String, StateCommand.StartDrain> drains = new TreeMap<>();
  private final TreeMap<String, StateCommand.RecordServer> servers = new TreeMap<>();
  private final TreeMap<String, Long> epochs = new TreeMap<>();
  private final TreeMap<String, StateCommand.AddArtifact> artifacts = new TreeMap<>();
  private final TreeMap<String, Integer> instanceNumbers = new TreeMap<>();
  private final TreeMap<String, StateCommand.AddJoinToken> joinTokens = new TreeMap<>();
  private final TreeMap<String, Integer> joinTokenUses = new TreeMap<>();
  private final TreeMap<String, StateCommand.IssueCertificate> certificates = new TreeMap<>();
  private final TreeMap<String, Long> revokedSerials = new TreeMap<>();
  private final TreeMap<String, StateCommand.AddToken> tokens = new TreeMap<>();

  DesiredState() {}

  /** The log index of the last command applied; 0 for the initial state. */
  public long index() {
    return index;
  }

  /** The scale set for the service, if one was. */
  public OptionalInt scale(String service) {
    Integer replicas = scales.get(service);
    return replicas == null ? OptionalInt.empty() : OptionalInt.of(replicas);
  }

  /** The scale set per service. */
  public Map<String, Integer> scales() {
    return Collections.unmodifiableMap(new TreeMap<>(scales));
  }

  public boolean cordoned(String nodeId) {
    return cordoned.contains(nodeId);
  }

  /** The ids of the cordoned nodes (draining ones included). */
  public Set<String> cordonedNodes() {
    return Collections.unmodifiableSet(new TreeSet<>(cordoned));
  }

  public Optional<Drain> drain(String nodeId) {
    return Optional.ofNullable(drains.get(nodeId)).map(DesiredState::toDrain);
  }

  /** The drains in progress, by node id. */
  public List<Drain> drains() {
    return drains.values().stream().map(DesiredState::toDrain).toList();
  }

  public Optional<ProviderServer> server(String id) {
    return Optional.ofNullable(servers.get(id)).map(DesiredState::toServer);
  }

  /** The servers providers created and did not release, by id. */
  public List<ProviderServer> servers() {
    return servers.values().stream().map(DesiredState::toServer).toList();
  }

  /** The nodes that were ever given a session: those a restarted controller waits for. */
  public Set<String> knownNodes() {
    return Collections.unmodifiableSet(new TreeSet<>(epochs.keySet()));
  }

  /** The highest session epoch issued to the node; 0 if none was. */
  public long epoch(String nodeId) {
    return epochs.getOrDefault(nodeId, 0L);
  }

  public Optional<ArtifactInfo> artifact(String sha256) {
    return Optional.ofNullable(artifacts.get(sha256)).map(DesiredState::toArtifact);
  }

  /** The stored artifacts, by sha256. */
  public List<ArtifactInfo> artifacts() {
    return artifacts.values().stream().map(DesiredState::toArtifact).toList();
  }

  /** The highest instance number taken for the service; the next instance gets one more. */
  public int lastInstanceNumber(String service) {
    return instanceNumbers.getOrDefault(service, 0);
  }

  /** The join token with this sha256, if it was created (used up or expired ones included). */
  public Optional<JoinTokenState> joinToken(String sha256) {
    StateCommand.AddJoinToken t = joinTokens.get(sha256);
    if (t == null) {
      return Optional.empty();
    }
    return Optional.of(
        new JoinTokenState(
            t.sha256(),
            Instant.ofEpochMilli(t.createdAtMs()),
            Instant.ofEpochMilli(t.expiresAtMs()),
            joinTokenUses.getOrDefault(sha256, t.uses())));
  }

  /** Whether the certificate with this serial (hex) was revoked. */
  public boolean revoked(String serial) {
    return revokedSerials.containsKey(serial);
  }

  /** The serials of the certificates issued to the node and not revoked. */
  public List<String> certificates(String nodeId) {
    return certificates.values().stream()
        .filter(c -> c.nodeId().equals(nodeId))
        .map(StateCommand.IssueCertificate::serial)
        .toList();
  }

  /** The API tokens issued, by name (hashes only). */
  public List<StateCommand.AddToken> tokens() {
    return List.copyOf(tokens.values());
  }

  // ---- changed by DesiredStateMachine only ----

  void apply(long at, StateCommand command) {
    if (command instanceof StateCommand.SetScale c) {
      scales.put(c.service(), c.replicas());
    } else if (command instanceof StateCommand.ClearScale c) {
      scales.remove(c.service());
    } else if (command instanceof StateCommand.Cordon c) {
      cordoned.add(c.nodeId());
    } else if (command instanceof StateCommand.Uncordon c) {
      cordoned.remove(c.nodeId());
      drains.remove(c.nodeId());
    } else if (command instanceof StateCommand.StartDrain c) {
      cordoned.add(c.nodeId());
      drains.put(c.nodeId(), c);
    } else if (command instanceof StateCommand.EndDrain c) {
      drains.remove(c.nodeId());
    } else if (command instanceof StateCommand.RecordServer c) {
      servers.put(c.id(), c);
    } else if (command instanceof StateCommand.ServerJoined c) {
      servers.computeIfPresent(
          c.id(),
          (id, s) ->
              new StateCommand.RecordServer(
                  s.id(), s.kind(), s.nodeName(), s.createdAtMs(), s.details(), true));
    } else if (command instanceof StateCommand.ForgetServer c) {
      servers.remove(c.id());
    } else if (command instanceof StateCommand.RecordEpoch c) {
      epochs.merge(c.nodeId(), c.epoch(), Math::max);
    } else if (command instanceof StateCommand.AddArtifact c) {
      artifacts.putIfAbsent(c.sha256(), c);
    } else if (command instanceof StateCommand.ReserveInstanceNumbers c) {
      instanceNumbers.merge(c.service(), c.through(), Math::max);
    } else if (command instanceof StateCommand.AddJoinToken c) {
      // Tokens expired before this one was created are of no more use.
      joinTokens.values().removeIf(t -> t.expiresAtMs() < c.createdAtMs());
      joinTokenUses.keySet().retainAll(joinTokens.keySet());
      joinTokens.putIfAbsent(c.sha256(), c);
    } else if (command instanceof StateCommand.UseJoinToken c) {
      if (joinTokens.containsKey(c.sha256())) {
        joinTokenUses.merge(c.sha256(), c.remaining(), Math::min);
      }
    } else if (command instanceof StateCommand.IssueCertificate c) {
      if (!revokedSerials.containsKey(c.serial())) {
        certificates.put(c.serial(), c);
      }
    } else if (command instanceof StateCommand.RevokeNode c) {
      certificates
          .values()
          .removeIf(
              cert -> {
                if (cert.nodeId().equals(c.nodeId())) {
                  revokedSerials.put(cert.serial(), cert.notAfterMs());
                  return true;
                }
                return false;
              });
      // Revocations of certificates that expired are of no more use.
      revokedSerials.values().removeIf(notAfter -> notAfter < c.revokedAtMs());
      epochs.remove(c.nodeId());
      cordoned.remove(c.nodeId());
      drains.remove(c.nodeId());
    } else if (command instanceof StateCommand.AddToken c) {
      tokens.put(c.name(), c);
    } else {
      throw new IllegalArgumentException("command: " + command + " is not known");
    }
    index = at;
  }

  Image image() {
    return new Image(
        new TreeMap<>(scales),
        new TreeSet<>(cordoned),
        new TreeMap<>(drains),
        new TreeMap<>(servers),
        new TreeMap<>(epochs),
        new TreeMap<>(artifacts),
        new TreeMap<>(instanceNumbers),
        new TreeMap<>(joinTokens),
        new TreeMap<>(joinTokenUses),
        new TreeMap<>(certificates),
        new TreeMap<>(revokedSerials),
        new TreeMap<>(tokens));
  }

  void replace(long at, Image image) {
    scales.clear();
    scales.putAll(image.scales());
    cordoned.clear();
    cordoned.addAll(image.cordoned());
    drains.clear();
    drains.putAll(image.drains());
    servers.clear();
    servers.putAll(image.servers());
    epochs.clear();
    epochs.putAll(image.epochs());
    artifacts.clear();
    artifacts.putAll(image.artifacts());
    instanceNumbers.clear();
    instanceNumbers.putAll(image.instanceNumbers());
    joinTokens.clear();
    joinTokens.putAll(image.joinTokens());
    joinTokenUses.clear();
    joinTokenUses.putAll(image.joinTokenUses());
    certificates.clear();
    certificates.putAll(image.certificates());
    revokedSerials.clear();
    revokedSerials.putAll(image.revokedSerials());
    tokens.clear();
    tokens.putAll(image.tokens());
    index = at;
  }

  private static Drain toDrain(StateCommand.StartDrain c) {
    return new Drain(
        c.nodeId(),
        Instant.ofEpochMilli(c.startedAtMs()),
        c.deadlineAtMs() == 0
            ? Optional.empty()
            : Optional.of(Instant.ofEpochMilli(c.deadlineAtMs())),
        c.maxParallel());
  }

  private static ProviderServer toServer(StateCommand.RecordServer c) {
    return new ProviderServer(
        new Server(
            c.id(), c.kind(), c.nodeName(), Instant.ofEpochMilli(c.createdAtMs()), c.details()),
        c.joined());
  }

  private static ArtifactInfo toArtifact(StateCommand.AddArtifact c) {
    return new ArtifactInfo(
        c.sha256(), c.sizeBytes(), c.name(), Instant.ofEpochMilli(c.addedAtMs()));
  }
}
