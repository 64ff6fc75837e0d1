package io.drover.provider.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.drover.agent.NodeAgent;
import io.drover.agent.config.AgentConfig;
import io.drover.common.config.ConfigException;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.Event;
import io.drover.controller.events.EventKind;
import io.drover.controller.nodes.NodeState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real controller with the ec2 plugin, against the emulated EC2 API: it provisions when instances
 * have no room, sees the agent join, releases the idle server, reconciles its ledger after a
 * restart without leaking a server, and reports API errors as events.
 */
class ControllerWithEc2Test {
  private static final Pattern NAME = Pattern.compile("--name '([^']+)'");
  private static final String CLUSTER = "test-cluster";

  @TempDir Path dir;
  private Ec2Emulator ec2;
  private final List<AutoCloseable> running = new ArrayList<>();

  @BeforeEach
  void startEc2() throws Exception {
    ec2 = Ec2Emulator.start();
    Files.writeString(
        dir.resolve("catalog.yaml"),
        """
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: example.Hello
            replicas: {min: 0, max: 2, initial: 1}
        """);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    ec2.close();
  }

  @Test
  void provisionsWhenNothingHasRoomThenReleasesTheIdleServer() throws Exception {
    Controller controller = controller(Duration.ofSeconds(3), Duration.ofMinutes(5));
    Event asked = awaitEvent(controller, EventKind.SERVER_PROVISIONING);
    assertThat(asked.message()).contains("asked ec2 for a server").contains("have no room");
    Ec2Emulator.EmulatedInstance instance = ec2.liveInstances().get(0);
    assertThat(instance.tags())
        .containsEntry("drover:cluster", CLUSTER)
        .containsEntry("drover:managed", "true");

    // The server's agent starts with the name its user-data gives it, and joins.
    String name = nameFromUserData(instance.userData());
    agent(controller, name);
    assertThat(awaitEvent(controller, EventKind.SERVER_JOINED).message()).contains(name);

    // Nothing runs there (the example jar does not exist on this "server"), so once the
    // service is scaled to zero the server is idle and released after its TTL.
    controller.scheduler().scale("hello", 0, "test").get();
    Event released = awaitEvent(controller, EventKind.SERVER_RELEASED);
    assertThat(released.message()).contains(instance.id()).contains("ran nothing");
    await().atMost(Duration.ofSeconds(10)).until(() -> ec2.liveInstances().isEmpty());
  }

  @Test
  void aNodeThatIsOnlyOutOfTouchBuysNoServerUntilItIsDeclaredLost() throws Exception {
    Controller controller = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    awaitEvent(controller, EventKind.SERVER_PROVISIONING);
    String name = nameFromUserData(ec2.liveInstances().get(0).userData());
    NodeAgent agent = agent(controller, name);
    awaitEvent(controller, EventKind.SERVER_JOINED);

    // The agent goes away (a restart, a link down): its node is DISCONNECTED, not yet LOST.
    agent.close();
    running.remove(agent);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                controller.nodes().list().stream()
                    .anyMatch(n -> n.state() == NodeState.DISCONNECTED));
    controller.scheduler().scale("hello", 2, "test").get();

    // A new instance has no room anywhere, but waits for the node instead of buying a server.
    await()
        .atMost(Duration.ofSeconds(4))
        .until(
            () ->
                controller.scheduler().instances("hello", "").get().stream()
                    .anyMatch(i -> i.reason().contains("to come back or be declared lost")));
    assertThat(ec2.calls("RunInstances")).hasSize(1);

    // Once the node is declared lost, the fleet grows.
    await().atMost(Duration.ofSeconds(30)).until(() -> ec2.calls("RunInstances").size() == 2);
  }

  @Test
  void aRestartedControllerAdoptsWhatItsLedgerLostAndLeaksNothing() throws Exception {
    Controller first = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    awaitEvent(first, EventKind.SERVER_PROVISIONING);
    String id = ec2.liveInstances().get(0).id();
    first.close();
    running.remove(first);
    // Another cluster's instance in the same account must stay untouched.
    String foreign =
        ec2.seed(Map.of("drover:cluster", "other", "drover:managed", "true"), "running");
    // The controller loses its state (a restore from an old backup, say): the server is unknown.
    deleteTree(dir.resolve("controller/state"));

    // The join timeout is short: the adopted server's agent never joins, so it is released.
    Controller second = controller(Duration.ofMinutes(10), Duration.ofSeconds(10));
    assertThat(awaitEvent(second, EventKind.SERVER_ADOPTED).message()).contains(id);
    Event released = awaitEvent(second, EventKind.SERVER_RELEASED);
    assertThat(released.message()).contains("did not join");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ec2.instance(id)
                    .map(i -> !i.state().equals("running") && !i.state().equals("pending"))
                    .orElse(true));
    assertThat(ec2.instance(foreign).orElseThrow().state()).isEqualTo("running");
  }

  @Test
  void aRestartedControllerWithItsLedgerRemembersItsServerAndStillReleasesIt() throws Exception {
    Controller first = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    awaitEvent(first, EventKind.SERVER_PROVISIONING);
    Ec2Emulator.EmulatedInstance instance = ec2.liveInstances().get(0);
    String name = nameFromUserData(instance.userData());
    NodeAgent agent = agent(first, name);
    awaitEvent(first, EventKind.SERVER_JOINED);
    // Nothing is left to place, so the restart below changes nothing but the controller.
    first.scheduler().scale("hello", 0, "test").get();
    first.close();
    running.remove(first);
    agent.close();
    running.remove(agent);

    // A normal restart: the state, and with it the ledger, is intact. The join timeout is short,
    // so a server taken for one that never joined would be released "did not join".
    Controller second = controller(Duration.ofSeconds(1), Duration.ofSeconds(5));
    agent(second, name);
    // The ledger still knows the node as this fleet's server: idle, it is released after its TTL.
    Event released = awaitEvent(second, EventKind.SERVER_RELEASED);
    assertThat(released.message()).contains(instance.id()).contains("ran nothing");
    // Nothing was adopted, forgotten, asked for or joined anew: the controller remembered it all.
    assertThat(kinds(second))
        .doesNotContain(
            EventKind.SERVER_ADOPTED,
            EventKind.SERVER_GONE,
            EventKind.SERVER_PROVISIONING,
            EventKind.SERVER_JOINED);
    assertThat(ec2.calls("RunInstances")).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> ec2.liveInstances().isEmpty());
  }

  @Test
  void aServerThatVanishedWhileTheControllerWasDownIsForgottenAndReplaced() throws Exception {
    Controller first = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    awaitEvent(first, EventKind.SERVER_PROVISIONING);
    String gone = ec2.liveInstances().get(0).id();
    first.close();
    running.remove(first);
    ec2.terminateOutOfBand(gone);

    Controller second = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    Event forgotten = awaitEvent(second, EventKind.SERVER_GONE);
    assertThat(forgotten.message()).contains(gone).contains("no longer exists");
    assertThat(forgotten.attributes()).containsEntry("id", gone);
    // The instance still has no room, and the ledger no longer counts on the vanished server:
    // a new one is asked for, and the vanished one is neither adopted nor terminated again.
    Event asked = awaitEvent(second, EventKind.SERVER_PROVISIONING);
    assertThat(asked.message()).doesNotContain(gone);
    assertThat(ec2.liveInstances()).hasSize(1).noneMatch(i -> i.id().equals(gone));
    assertThat(ec2.calls("TerminateInstances")).isEmpty();
    assertThat(kinds(second)).doesNotContain(EventKind.SERVER_ADOPTED);
  }

  @Test
  void apiErrorsSurfaceAsEventsWithEc2sOwnMessage() throws Exception {
    Files.writeString(
        dir.resolve("catalog.yaml"),
        """
        services:
          - name: hello
            artifact: {path: hello.jar}
            entry: example.Hello
            replicas: {min: 0, max: 2, initial: 0}
        """);
    Controller controller = controller(Duration.ofMinutes(10), Duration.ofMinutes(5));
    ec2.refuseAll(true);
    controller.scheduler().scale("hello", 1, "test").get();
    Event error = awaitEvent(controller, EventKind.PROVIDER_ERROR);
    assertThat(error.message()).contains("AUTH").contains("AuthFailure");
    assertThat(error.attributes()).containsEntry("kind", "AUTH");
    assertThat(ec2.liveInstances()).isEmpty();
  }

  @Test
  void credentialsEc2RefusesAtStartStopTheStartNamingTheKeys() {
    ec2.refuseAll(true);

    assertThatThrownBy(() -> controller(Duration.ofMinutes(10), Duration.ofMinutes(5)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "provider.ec2.accessKeyId, provider.ec2.secretAccessKey: ec2 refused the credentials"
                + " at start-up")
        .hasMessageContaining("AuthFailure: AWS was not able to validate the provided access");
    assertThat(ec2.liveInstances()).isEmpty();
  }

  @Test
  void aMissingRegionStopsTheStartNamingTheKey() {
    Map<String, String> settings = new HashMap<>(ec2Settings());
    settings.remove("provider.ec2.region");

    assertThatThrownBy(() -> controller(Duration.ofMinutes(10), Duration.ofMinutes(5), settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage("provider.ec2.region: missing");
  }

  private Controller controller(Duration idleTtl, Duration joinTimeout) {
    return controller(idleTtl, joinTimeout, ec2Settings());
  }

  private Map<String, String> ec2Settings() {
    return Map.of(
        "provider.ec2.region", "us-east-1",
        "provider.ec2.launchTemplate", Ec2Emulator.DEFAULT_TEMPLATE_ID,
        "provider.ec2.endpoint", ec2.endpoint().toString(),
        "provider.ec2.accessKeyId", "AKIDEXAMPLE",
        "provider.ec2.secretAccessKey", "secret",
        "provider.ec2.apiTimeout", "10s");
  }

  private Controller controller(
      Duration idleTtl, Duration joinTimeout, Map<String, String> settings) {
    HostPort loopback = new HostPort("127.0.0.1", 0);
    ControllerConfig config =
        ControllerConfig.defaults(loopback, loopback, dir.resolve("controller"))
            .withCatalog(ControllerConfig.CatalogLocation.file(dir.resolve("catalog.yaml"), dir))
            .withProvider(
                new ControllerConfig.ProviderSettings(
                    "ec2", idleTtl, joinTimeout, CLUSTER, settings));
    Controller controller = Controller.start(config);
    running.add(controller);
    return controller;
  }

  private NodeAgent agent(Controller controller, String name) {
    NodeAgent agent =
        NodeAgent.start(
            new AgentConfig(
                new HostPort("127.0.0.1", controller.grpcPort()),
                dir.resolve("agent-" + name),
                name,
                new PortRange(20000, 20999),
                new HostPort("127.0.0.1", 0),
                Optional.empty(),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                AgentConfig.Containers.defaults()));
    running.add(agent);
    return agent;
  }

  private static List<EventKind> kinds(Controller controller) {
    return controller.events().tail(1000).stream().map(Event::kind).toList();
  }

  private static Event awaitEvent(Controller controller, EventKind kind) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> controller.events().tail(1000).stream().filter(e -> e.kind() == kind).findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static String nameFromUserData(String userData) {
    // The emulator keeps user-data decoded; decode it here only if it is still base64.
    String script =
        userData.startsWith("#!")
            ? userData
            : new String(Base64.getDecoder().decode(userData), StandardCharsets.UTF_8);
    Matcher m = NAME.matcher(script);
    assertThat(m.find()).as(script).isTrue();
    return m.group(1);
  }

  private static void deleteTree(java.nio.file.Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
