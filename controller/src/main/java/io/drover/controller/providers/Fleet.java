package io.drover.controller.providers;

import io.drover.common.retry.Backoff;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of one provider: asks for more when instances have no room, releases idle ones, and
 * remembers every server it created (in the ledger) so that a controller restart neither leaks nor
 * forgets one. Provider calls block, so they run one at a time on a thread of their own; the
 * methods here only queue them and never block their caller.
 */
public final class Fleet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);

  private final ServerProvider provider;
  private final ServerLedger ledger;
  private final EventJournal events;
  private final Clock clock;
  private final Duration joinTimeout;
  private final JoinTokens joinTokens;

  /** Told the node name of each server released, so that the node is forgotten, not lost. */
  private final java.util.function.Consumer<String> released;

  private final Runnable changed;
  private final ExecutorService calls;
  private final Backoff failures = Backoff.withJitter(Duration.ofSeconds(5), Duration.ofMinutes(5));
  private final Map<String, Instant> askedAt = new HashMap<>();
  private int inFlight;
  private Instant nextAttempt = Instant.MIN;

  /**
   * @param changed called (on the fleet's thread) after any change, so the scheduler looks again
   */
  public Fleet(
      ServerProvider provider,
      io.drover.controller.state.SharedDesiredState state,
      java.nio.file.Path legacyLedgerFile,
      EventJournal events,
      Clock clock,
      Duration joinTimeout,
      JoinTokens joinTokens,
      java.util.function.Consumer<String> released,
      Runnable changed) {
    this.provider = provider;
    this.released = released;
    this.joinTokens = joinTokens;
    this.ledger = new ServerLedger(state, legacyLedgerFile);
    this.events = events;
    this.clock = clock;
    this.joinTimeout = joinTimeout;
    this.changed = changed;
    this.calls =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "drover-provider-" + provider.kind());
              t.setDaemon(true);
              return t;
            });
  }

  public String kind() {
    return provider.kind();
  }

  public boolean canProvision() {
    return provider.canProvision();
  }

  /** Compares the ledger with what the environment says it owns: adopts and forgets. */
  public void start() {
    submit(
        () -> {
          List<Server> owned;
          try {
            owned = provider.list();
          } catch (ProviderException e) {
            providerError("list its servers", e);
            return;
          }
          synchronized (this) {
            for (Server server : owned) {
              if (ledger.all().stream().noneMatch(e -> e.id().equals(server.id()))) {
                ledger.add(server, false);
                askedAt.put(server.nodeName(), clock.instant());
                events.publish(
                    EventKind.SERVER_ADOPTED,
                    "server/" + server.nodeName(),
                    provider.kind()
                        + " server "
                        + server.id()
                        + " ("
                        + server.nodeName()
                        + ") was not in the ledger; adopted so that it is not leaked",
                    Map.of("id", server.id()));
              }
            }
            for (ServerLedger.Entry entry : ledger.all()) {
              if (owned.stream().noneMatch(s -> s.id().equals(entry.id()))) {
                ledger.remove(entry.id());
                events.publish(
                    EventKind.SERVER_GONE,
                    "server/" + entry.nodeName(),
                    provider.kind()
                        + " server "
                        + entry.id()
                        + " ("
                        + entry.nodeName()
                        + ") no longer exists; removed from the ledger",
                    Map.of("id", entry.id()));
              } else if (!entry.joined()) {
                askedAt.putIfAbsent(entry.nodeName(), clock.instant());
              }
            }
          }
        });
  }

  /** Servers asked for whose agents have not joined yet, by node name. */
  public synchronized List<String> waitingFor() {
    return ledger.all().stream()
        .filter(e -> !e.joined())
        .map(ServerLedger.Entry::nodeName)
        .toList();
  }

  /** Whether a provisioning call is under way or servers are still joining. */
  public synchronized boolean busy() {
    return inFlight > 0 || !waitingFor().isEmpty();
  }

  /** Whether provisioning may be tried now (after a failure it backs off). */
  public synchronized boolean mayProvision(Instant now) {
    return provider.canProvision() && !now.isBefore(nextAttempt);
  }

  /** Asks for {@code count} servers, in the background. */
  public synchronized void provision(int count, int memoryMb, int cpuMillis, String reason) {
    inFlight++;
    submit(
        () -> {
          try {
            // Good for as long as the fleet waits for these agents, and for them only.
            Optional<JoinTokens.Token> token = joinTokens.mint(count, joinTimeout);
            List<Server> servers =
                provider.provision(
                    new ProvisionRequest(
                        count,
                        memoryMb,
                        cpuMillis,
                        reason,
                        token.map(JoinTokens.Token::token).orElse(""),
                        token.map(JoinTokens.Token::caFingerprint).orElse("")));
            synchronized (this) {
              failures.reset();
              for (Server server : servers) {
                ledger.add(server, false);
                askedAt.put(server.nodeName(), clock.instant());
                events.publish(
                    EventKind.SERVER_PROVISIONING,
                    "server/" + server.nodeName(),
                    "asked "
                        + provider.kind()
                        + " for a server: "
                        + server.id()
                        + " will join as "
                        + server.nodeName()
                        + " ("
                        + reason
                        + ")",
                    Map.of("id", server.id()));
              }
            }
          } catch (ProviderException e) {
            synchronized (this) {
              nextAttempt = clock.instant().plus(failures.nextDelay());
            }
            providerError("provision a server (" + reason + ")", e);
          } finally {
            synchronized (this) {
              inFlight--;
            }
          }
        });
  }

  /** An agent joined: if it runs on one of this fleet's servers, the server is up. */
  public synchronized void nodeJoined(String nodeName) {
    ServerLedger.Entry entry = ledger.byNode(nodeName);
    if (entry != null && !entry.joined()) {
      ledger.joined(entry.id());
      Instant asked = askedAt.remove(nodeName);
      events.publish(
          EventKind.SERVER_JOINED,
          "server/" + nodeName,
          provider.kind()
              + " server "
              + entry.id()
              + " joined as node "
              + nodeName
              + (asked == null
                  ? ""
                  : ", "
                      + Duration.between(asked, clock.instant()).toSeconds()
                      + " s after it was asked for"),
          Map.of("id", entry.id()));
    }
  }

  /** Whether the node runs on a server this fleet may release. */
  public synchronized boolean releasable(String nodeName) {
    return provider.canRelease() && ledger.byNode(nodeName) != null;
  }

  /** Releases the server of a node, in the background. */
  public synchronized void release(String nodeName, String reason) {
    ServerLedger.Entry entry = ledger.byNode(nodeName);
    if (entry == null || !provider.canRelease()) {
      return;
    }
    submit(
        () -> {
          try {
            provider.release(entry.server());
            synchronized (this) {
              ledger.remove(entry.id());
              askedAt.remove(nodeName);
            }
            events.publish(
                EventKind.SERVER_RELEASED,
                "server/" + nodeName,
                "released "
                    + provider.kind()
                    + " server "
                    + entry.id()
                    + " ("
                    + nodeName
                    + "): "
                    + reason,
                Map.of("id", entry.id()));
            released.accept(nodeName);
          } catch (ProviderException e) {
            providerError("release server " + entry.id() + " (" + nodeName + ")", e);
          }
        });
  }

  /** Servers that never joined within the join timeout are released, so none is leaked. */
  public synchronized void releaseLate(Instant now) {
    for (Map.Entry<String, Instant> asked : Map.copyOf(askedAt).entrySet()) {
      if (Duration.between(asked.getValue(), now).compareTo(joinTimeout) > 0) {
        askedAt.remove(asked.getKey());
        release(asked.getKey(), "its agent did not join within " + joinTimeout.toSeconds() + " s");
      }
    }
  }

  private void providerError(String what, ProviderException e) {
    log.warn("{} provider could not {}: {}", provider.kind(), what, e.getMessage());
    events.publish(
        EventKind.PROVIDER_ERROR,
        "provider/" + provider.kind(),
        provider.kind() + " could not " + what + ": " + e.kind() + ": " + e.getMessage(),
        Map.of("kind", e.kind().name(), "retryable", Boolean.toString(e.retryable())));
  }

  private void submit(Runnable call) {
    try {
      calls.execute(
          () -> {
            try {
              call.run();
            } catch (RuntimeException e) {
              log.error("{} provider call failed", provider.kind(), e);
            } finally {
              changed.run();
            }
          });
    } catch (RejectedExecutionException closed) {
      log.debug("fleet closed; dropping a provider call");
    }
  }

  @Override
  public void close() {
    calls.shutdownNow();
    provider.close();
  }
}
