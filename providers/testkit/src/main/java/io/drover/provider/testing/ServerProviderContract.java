package io.drover.provider.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ServerProvider} that provisions must do, run once for each implementation: a
 * subclass says how to open a provider on its environment and how to look at that environment
 * behind the provider's back. Each test starts from an environment without servers of the
 * subclass's cluster; everything a test created is released, and every provider and resource
 * closed, after it.
 *
 * <p>The fault cases (throttling, refused credentials, quotas) need an environment that can inject
 * them; a subclass whose environment has no such thing (the {@code local} provider has no rate
 * limit and no credentials) answers {@code false} from that hook and the case is reported as
 * skipped, never passed.
 */
public abstract class ServerProviderContract {
  /** How long the environment may take to show a change in {@link ServerProvider#list()}. */
  protected static final Duration SETTLE = Duration.ofSeconds(10);

  private final List<ServerProvider> providers = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private ServerProvider provider;

  /**
   * A new provider object on the same environment and cluster; a second one is what a restarted
   * controller sees.
   */
  protected abstract ServerProvider newProvider() throws Exception;

  /** The ids of this cluster's servers the environment holds alive now, read without a provider. */
  protected abstract Set<String> liveServerIds() throws Exception;

  /** Makes the environment refuse to create servers once {@code created} more exist. */
  protected abstract void refuseCreationAfter(int created) throws Exception;

  /** Removes every injected fault, so that the clean-up after a test can release its servers. */
  protected void clearFaults() throws Exception {}

  /**
   * The environment's own words when it refuses a creation for a quota, as the provider's message
   * must carry them, e.g. {@code InstanceLimitExceeded}.
   */
  protected abstract String quotaMessage();

  /**
   * Makes the environment answer the next {@code times} calls (any call) with its rate-limit error;
   * {@link Integer#MAX_VALUE} means until {@link #clearFaults()}.
   *
   * @return false when the environment has no rate limit
   */
  protected abstract boolean throttle(int times) throws Exception;

  /** The environment's own words when it rate-limits, as the provider's message carries them. */
  protected String throttleMessage() {
    throw new UnsupportedOperationException("no rate limit");
  }

  /**
   * How many calls the environment has answered with its rate-limit error since {@link #throttle}.
   */
  protected int throttledCalls() {
    throw new UnsupportedOperationException("no rate limit");
  }

  /**
   * Makes the environment refuse the provider's credentials until {@link #clearFaults()}.
   *
   * @return false when the environment has no credentials
   */
  protected abstract boolean refuseCredentials() throws Exception;

  /** The environment's own words when it refuses credentials. */
  protected String authMessage() {
    throw new UnsupportedOperationException("no credentials");
  }

  protected ProvisionRequest request(int count) {
    return new ProvisionRequest(
        count, 512 * count, 500 * count, "contract test", "token-123", "cd".repeat(32));
  }

  /** The provider of this test, opened on first use. */
  protected final ServerProvider provider() throws Exception {
    if (provider == null) {
      provider = openProvider();
    }
    return provider;
  }

  /** A new provider, closed after the test. */
  protected final ServerProvider openProvider() throws Exception {
    return track(newProvider());
  }

  /** Closes the provider after the test. */
  protected final <T extends ServerProvider> T track(T p) {
    providers.add(p);
    return p;
  }

  /** Closes the resource after the test's servers are released and its providers closed. */
  protected final <T extends AutoCloseable> T closeAfterTest(T resource) {
    resources.add(resource);
    return resource;
  }

  @AfterEach
  final void releaseServersAndClose() throws Exception {
    Exception failure = null;
    try {
      clearFaults();
      ServerProvider cleaner = openProvider();
      if (cleaner.canRelease()) {
        for (Server server : cleaner.list()) {
          cleaner.release(server);
        }
      }
    } catch (Exception e) {
      failure = e;
    }
    List<AutoCloseable> toClose = new ArrayList<>(providers);
    Collections.reverse(toClose);
    List<AutoCloseable> later = new ArrayList<>(resources);
    Collections.reverse(later);
    toClose.addAll(later);
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    providers.clear();
    resources.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private void assumeProvisions() throws Exception {
    assumeTrue(provider().canProvision(), "this provider cannot provision");
  }

  private static List<String> ids(List<Server> servers) {
    return servers.stream().map(Server::id).toList();
  }

  @Test
  void provisionReturnsOneNewServerForEachOneAskedFor() throws Exception {
    assumeProvisions();

    List<Server> servers = provider().provision(request(2));

    assertThat(servers).hasSize(2);
    assertThat(servers).extracting(Server::kind).containsOnly(provider().kind());
    assertThat(servers).extracting(Server::id).doesNotHaveDuplicates();
    assertThat(servers).extracting(Server::nodeName).doesNotHaveDuplicates().doesNotContainNull();
    assertThat(liveServerIds()).containsExactlyInAnyOrderElementsOf(ids(servers));
  }

  @Test
  void listFindsExactlyWhatWasProvisioned() throws Exception {
    assumeProvisions();
    List<Server> servers = provider().provision(request(2));

    await()
        .atMost(SETTLE)
        .untilAsserted(
            () -> {
              List<Server> listed = provider().list();
              assertThat(ids(listed)).containsExactlyInAnyOrderElementsOf(ids(servers));
              assertThat(listed)
                  .extracting(Server::nodeName)
                  .containsExactlyInAnyOrderElementsOf(
                      servers.stream().map(Server::nodeName).toList());
            });
  }

  @Test
  void aNewProviderListsAndReleasesWhatAnEarlierOneCreated() throws Exception {
    assumeProvisions();
    List<Server> servers = provider().provision(request(2));
    provider().close();

    ServerProvider restarted = openProvider();
    await()
        .atMost(SETTLE)
        .untilAsserted(
            () ->
                assertThat(ids(restarted.list()))
                    .containsExactlyInAnyOrderElementsOf(ids(servers)));
    for (Server server : restarted.list()) {
      restarted.release(server);
    }

    assertThat(liveServerIds()).isEmpty();
    await().atMost(SETTLE).untilAsserted(() -> assertThat(restarted.list()).isEmpty());
  }

  @Test
  void releaseRemovesOnlyThatServer() throws Exception {
    assumeProvisions();
    List<Server> servers = provider().provision(request(2));

    provider().release(servers.get(0));

    assertThat(liveServerIds()).containsExactly(servers.get(1).id());
    await()
        .atMost(SETTLE)
        .untilAsserted(
            () -> assertThat(ids(provider().list())).containsExactly(servers.get(1).id()));
  }

  @Test
  void releasingTwiceIsNoError() throws Exception {
    assumeProvisions();
    Server server = provider().provision(request(1)).get(0);

    provider().release(server);
    provider().release(server);

    assertThat(liveServerIds()).isEmpty();
  }

  @Test
  void aProvisionThatFailsHalfwayLeavesNoServerBehind() throws Exception {
    assumeProvisions();
    refuseCreationAfter(1);

    ProviderException e = failure(() -> provider().provision(request(3)));

    assertThat(e.kind()).as(e.getMessage()).isEqualTo(ProviderException.Kind.QUOTA);
    assertThat(e.getMessage()).contains(quotaMessage());
    assertThat(e.retryable()).isFalse();
    assertThat(liveServerIds()).isEmpty();
    clearFaults();
    await().atMost(SETTLE).untilAsserted(() -> assertThat(provider().list()).isEmpty());
  }

  @Test
  void aQuotaReachedBeforeAnyCreationIsQuotaWithTheEnvironmentsMessage() throws Exception {
    assumeProvisions();
    Server kept = provider().provision(request(1)).get(0);
    refuseCreationAfter(0);

    ProviderException e = failure(() -> provider().provision(request(1)));

    assertThat(e.kind()).as(e.getMessage()).isEqualTo(ProviderException.Kind.QUOTA);
    assertThat(e.getMessage()).contains(quotaMessage());
    assertThat(liveServerIds()).containsExactly(kept.id());
  }

  @Test
  void aFewThrottledCallsAreRetriedAndCreateExactlyOneServer() throws Exception {
    assumeProvisions();
    assumeTrue(throttle(2), "this environment has no rate limit");

    List<Server> servers = provider().provision(request(1));

    assertThat(servers).hasSize(1);
    assertThat(throttledCalls()).as("throttled answers the provider retried past").isEqualTo(2);
    assertThat(liveServerIds()).containsExactly(servers.get(0).id());
  }

  @Test
  void throttlingThatDoesNotEndIsThrottledWithTheEnvironmentsMessageAndLeavesNothing()
      throws Exception {
    assumeProvisions();
    assumeTrue(throttle(Integer.MAX_VALUE), "this environment has no rate limit");

    ProviderException e = failure(() -> provider().provision(request(2)));

    assertThat(e.kind()).as(e.getMessage()).isEqualTo(ProviderException.Kind.THROTTLED);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains(throttleMessage());
    assertThat(throttledCalls()).as("the provider retried before giving up").isGreaterThan(1);
    assertThat(liveServerIds()).isEmpty();
  }

  @Test
  void refusedCredentialsAreAuthWithTheEnvironmentsMessageAndLeaveNothing() throws Exception {
    assumeProvisions();
    Server kept = provider().provision(request(1)).get(0);
    assumeTrue(refuseCredentials(), "this environment has no credentials");

    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> provider().provision(request(1)),
            () -> provider().list(),
            () -> provider().release(kept))) {
      ProviderException e = failure(call);
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(ProviderException.Kind.AUTH);
      assertThat(e.getMessage()).contains(authMessage());
      assertThat(e.retryable()).isFalse();
    }
    assertThat(liveServerIds()).containsExactly(kept.id());
  }

  /** A call that must fail with a {@link ProviderException}. */
  @FunctionalInterface
  protected interface ThrowingCall {
    void run() throws Exception;
  }

  protected static ProviderException failure(ThrowingCall call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(ProviderException.class);
    return (ProviderException) thrown;
  }
}
