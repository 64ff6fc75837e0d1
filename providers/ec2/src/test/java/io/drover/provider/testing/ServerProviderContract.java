package io.drover.provider.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
 * <p>Lives in the ec2 module's tests for now; it belongs in a test-jar shared by every provider.
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

  protected ProvisionRequest request(int count) {
    return new ProvisionRequest(
        count, 512 * count, 500 * count, "contract test", "token-123", "ab12");
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

    assertThatThrownBy(() -> provider().provision(request(3)))
        .isInstanceOf(ProviderException.class);

    assertThat(liveServerIds()).isEmpty();
    clearFaults();
    await().atMost(SETTLE).untilAsserted(() -> assertThat(provider().list()).isEmpty());
  }
}
