package io.drover.agent;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.drover.agent.config.AgentConfig;
import io.drover.agent.testing.FakeController;
import io.drover.agent.testing.ServiceJars;
import io.drover.agent.testing.services.CrashableService;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.testing.FreePorts;
import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.AgentToContainer;
import io.drover.v1.AttachRequest;
import io.drover.v1.Command;
import io.drover.v1.CommandResult;
import io.drover.v1.ContainerLinkGrpc;
import io.drover.v1.ContainerMessage;
import io.drover.v1.ContainerReport;
import io.drover.v1.ContainerState;
import io.drover.v1.HealthCheck;
import io.drover.v1.Hello;
import io.drover.v1.JvmProfile;
import io.drover.v1.PortBinding;
import io.drover.v1.ProbePorts;
import io.drover.v1.ReleaseContainer;
import io.drover.v1.ServiceAssignment;
import io.drover.v1.SetWarmPool;
import io.drover.v1.StartContainers;
import io.drover.v1.StopContainer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real agent in this JVM, real container JVMs, and a fake controller: crashed instances restart
 * in place, a restarted agent adopts its containers, fencing and a lost controller stop instances.
 */
class AgentRecoveryTest {
  static final Duration START = Duration.ofSeconds(60);
  static final JvmProfile PROFILE =
      JvmProfile.newBuilder()
          .setName("test")
          .setHeapMb(64)
          .addAllFlags(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"))
          .build();

  @RegisterExtension final ProcessCleanupExtension processes = new ProcessCleanupExtension();
  @TempDir Path dir;

  private FakeController controller;
  private NodeAgent agent;
  private Path jar;
  private final Set<Long> tracked = new HashSet<>();

  @BeforeEach
  void setUp() throws IOException {
    controller = FakeController.start();
    jar = ServiceJars.of(dir.resolve("crashable.jar"), CrashableService.class);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (agent != null) {
      agent.closeWithContainers();
    }
    controller.close();
  }

  @Test
  void aCrashedInstanceRestartsInPlaceWithAGrowingBackoffUntilAStopCancelsIt() throws Exception {
    agent = startAgent(config());
    int port = FreePorts.find();
    ContainerReport first = startInstance("crashy-1", port);

    long crash1 = System.currentTimeMillis();
    assertThat(get(port, "/crash")).isEqualTo("crashing\n");
    ContainerReport failed1 = awaitPendingRestart(first.getContainerId());
    assertThat(failed1.getInstanceId()).isEqualTo("crashy-1");
    assertThat(failed1.getRestarts()).isZero();
    assertThat(failed1.getExitCode()).isEqualTo(CrashableService.CRASH_EXIT_CODE);
    assertThat(failed1.getLastError()).isEqualTo("exited with code 70");
    assertThat(failed1.getPortsList()).isEqualTo(first.getPortsList());

    ContainerReport second = awaitRunningRestart("crashy-1", Set.of(first.getContainerId()));
    assertThat(second.getRestarts()).isEqualTo(1);
    assertThat(second.getPortsList()).as("the same ports").isEqualTo(first.getPortsList());
    assertThat(second.getProfile()).isEqualTo(first.getProfile());
    assertThat(second.getPid()).isNotEqualTo(first.getPid());
    assertThat(second.getStartedAtMs()).isGreaterThanOrEqualTo(failed1.getRestartAtMs());
    assertThat(second.getLastError()).isEqualTo("exited with code 70");
    assertThat(get(port, "/")).isEqualTo("hello from crashy-1 pid " + second.getPid() + "\n");

    long crash2 = System.currentTimeMillis();
    get(port, "/crash");
    ContainerReport failed2 = awaitPendingRestart(second.getContainerId());
    assertThat(failed2.getRestarts()).isEqualTo(1);
    long gap1 = failed1.getRestartAtMs() - crash1;
    long gap2 = failed2.getRestartAtMs() - crash2;
    assertThat(gap1).as("first restart after 1 s").isBetween(1000L, 1999L);
    assertThat(gap2).as("second restart after 2 s").isGreaterThanOrEqualTo(2000L);

    // While it waits, the hello lists it as crashed, with the time of its restart.
    assertThat(agent.containers()).noneMatch(c -> c.getInstanceId().equals("crashy-1"));

    // A stop of the dead container cancels the restart.
    CommandResult stopped =
        controller
            .send(
                Command.newBuilder()
                    .setStopContainer(
                        StopContainer.newBuilder().setContainerId(second.getContainerId())))
            .get(10, TimeUnit.SECONDS);
    assertThat(stopped.getOk()).isTrue();
    ContainerReport cancelled =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> latest(second.getContainerId()),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_EXITED);
    assertThat(cancelled.getRestartAtMs()).isZero();
    assertThat(cancelled.getReason()).contains("before its restart");
    long untilDue = Math.max(0, failed2.getRestartAtMs() - System.currentTimeMillis());
    await()
        .during(Duration.ofMillis(untilDue + 1500))
        .atMost(Duration.ofMillis(untilDue + 5000))
        .until(
            () ->
                controller.reports("crashy-1").stream()
                    .map(ContainerReport::getContainerId)
                    .filter(
                        id ->
                            !id.equals(first.getContainerId())
                                && !id.equals(second.getContainerId()))
                    .toList(),
            List::isEmpty);
    assertThat(accepts(port)).isFalse();
  }

  @Test
  void instancesTheWelcomeSaysWereReplacedAreStopped() throws Exception {
    agent = startAgent(config());
    int portA = FreePorts.find();
    int portB = FreePorts.find();
    ContainerReport a = startInstance("fenced-1", portA);
    ContainerReport b = startInstance("kept-1", portB);

    // The node was lost; the controller comes back and says fenced-1 runs elsewhere now.
    int controllerPort = controller.port();
    controller.close();
    controller = FakeController.start(controllerPort).replacedInstances("fenced-1");

    ContainerReport stopped =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> latest(a.getContainerId()),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_EXITED);
    assertThat(stopped.getReason())
        .contains("replaced it on another node while this node was lost");
    assertThat(accepts(portA)).isFalse();
    assertThat(get(portB, "/")).isEqualTo("hello from kept-1 pid " + b.getPid() + "\n");
    assertThat(agent.containers())
        .extracting(ContainerReport::getInstanceId)
        .containsExactly("kept-1");
  }

  @Test
  void aRestartedAgentAdoptsItsContainersAsTheyWere() throws Exception {
    agent = startAgent(config());
    controller.send(
        Command.newBuilder()
            .setSetWarmPool(SetWarmPool.newBuilder().setProfile(PROFILE).setSize(1)));
    int port = FreePorts.find();
    ContainerReport running = startInstance("kept-1", port);
    ContainerReport spare = awaitSpare();
    Path socket = dir.resolve("agent/run/link.sock");
    assertThat(socket).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-------");

    // The agent goes away; its containers do not.
    agent.close();
    agent = null;
    assertThat(get(port, "/")).isEqualTo("hello from kept-1 pid " + running.getPid() + "\n");
    assertThat(ProcessHandle.of(spare.getPid()).map(ProcessHandle::isAlive)).contains(true);

    int hellosBefore = controller.hellos().size();
    agent = startAgent(config());
    Hello hello =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    controller.hellos().size() > hellosBefore
                        ? controller.hellos().get(controller.hellos().size() - 1)
                        : null,
                h -> h != null);
    assertThat(hello.getContainersList())
        .anySatisfy(
            c -> {
              assertThat(c.getContainerId()).isEqualTo(running.getContainerId());
              assertThat(c.getState()).isEqualTo(ContainerState.CONTAINER_STATE_RUNNING);
              assertThat(c.getPid()).isEqualTo(running.getPid());
              assertThat(c.getInstanceId()).isEqualTo("kept-1");
              assertThat(c.getPortsList()).isEqualTo(running.getPortsList());
              assertThat(c.getStartedAtMs()).isEqualTo(running.getStartedAtMs());
              assertThat(c.getRestarts()).isZero();
            })
        .anySatisfy(
            c -> {
              assertThat(c.getContainerId()).isEqualTo(spare.getContainerId());
              assertThat(c.getState()).isEqualTo(ContainerState.CONTAINER_STATE_IDLE);
              assertThat(c.getPid()).isEqualTo(spare.getPid());
            });

    // It attached again: a release reaches the service through the link, gracefully.
    Path serviceLog =
        dir.resolve("agent/containers").resolve(running.getContainerId()).resolve("service.log");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(Files.readString(serviceLog))
                    .containsPattern(
                        "attached to the agent at unix:.*(\\n.*)*attached to the agent"));
    controller
        .send(
            Command.newBuilder()
                .setReleaseContainer(
                    ReleaseContainer.newBuilder()
                        .setContainerId(running.getContainerId())
                        .setGracePeriodMs(5000)))
        .get(10, TimeUnit.SECONDS);
    ContainerReport ended =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> latest(running.getContainerId()),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_EXITED);
    assertThat(ended.getReason()).isEqualTo("stopped");
    assertThat(controller.reports(running.getInstanceId()))
        .extracting(ContainerReport::getState)
        .contains(ContainerState.CONTAINER_STATE_STOPPING);
    assertThat(Files.readString(serviceLog)).contains("stopping (released by the agent");
    // The adopted spare stays a spare: the controller has not said it wants fewer.
    assertThat(agent.containers())
        .extracting(ContainerReport::getContainerId)
        .containsExactly(spare.getContainerId());
  }

  @Test
  void containersThatEndedWhileNoAgentRanAreReportedOnceAndTheirInstanceRestarts()
      throws Exception {
    agent = startAgent(config());
    controller.send(
        Command.newBuilder()
            .setSetWarmPool(SetWarmPool.newBuilder().setProfile(PROFILE).setSize(1)));
    int port = FreePorts.find();
    ContainerReport running = startInstance("phoenix-1", port);
    ContainerReport spare = awaitSpare();
    agent.close();
    agent = null;

    // Both die while no agent watches them.
    for (ContainerReport c : List.of(running, spare)) {
      ProcessHandle process = ProcessHandle.of(c.getPid()).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(10, TimeUnit.SECONDS);
    }
    Path records = dir.resolve("agent/container-records");
    assertThat(records.resolve(spare.getContainerId() + ".json")).exists();

    int reportsBefore = controller.reports().size();
    agent = startAgent(config());
    // The spare's end, once, after the welcome.
    ContainerReport spareEnd =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> latest(spare.getContainerId()),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_EXITED);
    assertThat(spareEnd.getReason()).startsWith("ended while no agent watched it");
    // The instance had run: it restarts in place, with its id and ports.
    ContainerReport again = awaitRunningRestart("phoenix-1", Set.of(running.getContainerId()));
    assertThat(again.getRestarts()).isEqualTo(1);
    assertThat(again.getPortsList()).isEqualTo(running.getPortsList());
    assertThat(again.getLastError()).startsWith("ended while no agent watched it");
    assertThat(get(port, "/")).isEqualTo("hello from phoenix-1 pid " + again.getPid() + "\n");
    assertThat(
            controller.reports().subList(reportsBefore, controller.reports().size()).stream()
                .filter(r -> r.getContainerId().equals(spare.getContainerId())))
        .as("the spare's end is reported once")
        .hasSize(1);
    assertThat(records.resolve(spare.getContainerId() + ".json")).doesNotExist();
    assertThat(records.resolve(running.getContainerId() + ".json")).doesNotExist();

    // A controller that still knows the dead container releases it: the restarted one goes.
    controller
        .send(
            Command.newBuilder()
                .setReleaseContainer(
                    ReleaseContainer.newBuilder()
                        .setContainerId(running.getContainerId())
                        .setGracePeriodMs(5000)))
        .get(10, TimeUnit.SECONDS);
    ContainerReport released =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> latest(again.getContainerId()),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_EXITED);
    assertThat(released.getReason()).isEqualTo("stopped");
    assertThat(accepts(port)).isFalse();
  }

  @Test
  void instancesStopWhenTheControllerStaysUnreachableTooLong() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger(NodeAgent.class);
    logger.addAppender(logs);
    try {
      agent = startAgent(config().withStopWorkloadsAfterDisconnect(Duration.ofSeconds(1)));
      int port = FreePorts.find();
      startInstance("lonely-1", port);

      controller.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> !accepts(port));
      await().atMost(Duration.ofSeconds(10)).until(() -> agent.containers().isEmpty());
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(
              m ->
                  assertThat(m)
                      .contains("has been unreachable for")
                      .contains("stopping every instance of this node"));
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void theHeartbeatFollowsAWelcomeThatAsksForOneEvery100Ms() throws Exception {
    controller.telemetryIntervalMs(100);
    agent = startAgent(config());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> controller.telemetryReceivedNanos().size() >= 21);
    List<Long> at = controller.telemetryReceivedNanos();
    long averageMs = TimeUnit.NANOSECONDS.toMillis(at.get(20) - at.get(0)) / 20;
    assertThat(averageMs).as("average interval").isLessThan(500);
  }

  @Test
  void commandsThatComeInOneBatchAreEachCarriedOutAndAnswered() throws Exception {
    agent = startAgent(config());
    await().atMost(Duration.ofSeconds(20)).until(() -> !controller.hellos().isEmpty());
    assertThat(controller.hellos().get(0).getAcceptsCommandBatches()).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(controller::connected);
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0)) {
      int free = FreePorts.find();
      List<CompletableFuture<CommandResult>> results =
          controller.sendBatch(
              List.of(
                  Command.newBuilder()
                      .setProbePorts(ProbePorts.newBuilder().addPorts(busy.getLocalPort())),
                  Command.newBuilder().setProbePorts(ProbePorts.newBuilder().addPorts(free))));
      CommandResult first = results.get(0).get(20, TimeUnit.SECONDS);
      CommandResult second = results.get(1).get(20, TimeUnit.SECONDS);
      assertThat(first.getBusyPortsList()).containsExactly(busy.getLocalPort());
      assertThat(second.getFreePortsList()).containsExactly(free);
    }
  }

  // ---- helpers ----

  @Test
  void aContainerCannotSpeakWithAnotherContainersSecret() throws Exception {
    agent = startAgent(config());
    ContainerReport a = startInstance("crashy-1", FreePorts.find());
    ContainerReport b = startInstance("crashy-2", FreePorts.find());
    Map<String, String> envOfB = environment(b.getPid());
    String link = envOfB.get("DROVER_AGENT_LINK");
    assertThat(link).startsWith("unix:");
    Path socket = Path.of(link.substring("unix:".length()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .as("only the agent's user may open the link")
        .isEqualTo("rw-------");
    int reportsBefore = controller.reports().size();

    // Container a's id with b's secret (as a compromised b would try): refused, and a is untouched.
    Status refused =
        attachOverLink(socket, a.getContainerId(), envOfB.get("DROVER_CONTAINER_SECRET"));
    assertThat(refused.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getDescription()).isEqualTo("unknown container or wrong secret");
    // An id the agent never started, with a real secret: refused the same way.
    assertThat(attachOverLink(socket, "c-made-up", envOfB.get("DROVER_CONTAINER_SECRET")).getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);

    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> controller.reports().size() == reportsBefore);
    assertThat(agent.containers())
        .extracting(
            ContainerReport::getContainerId, ContainerReport::getState, ContainerReport::getPid)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                a.getContainerId(), ContainerState.CONTAINER_STATE_RUNNING, a.getPid()),
            org.assertj.core.groups.Tuple.tuple(
                b.getContainerId(), ContainerState.CONTAINER_STATE_RUNNING, b.getPid()))
        .hasSize(2);
    assertThat(get(a.getPortsList().get(0).getPort(), "/")).startsWith("hello from crashy-1");
  }

  /** The environment the agent gave a container process. */
  private static Map<String, String> environment(long pid) throws IOException {
    Map<String, String> env = new HashMap<>();
    for (String entry :
        new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), US_ASCII)
            .split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  /**
   * Attaches over the agent's Unix socket as {@code containerId}; the status the agent ends with.
   */
  private static Status attachOverLink(Path socket, String containerId, String secret)
      throws Exception {
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    try {
      CompletableFuture<Status> ended = new CompletableFuture<>();
      StreamObserver<ContainerMessage> out =
          ContainerLinkGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .attach(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(AgentToContainer message) {
                      if (message.hasAccepted()) {
                        ended.complete(Status.OK.withDescription("accepted"));
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                      ended.complete(Status.OK);
                    }
                  });
      out.onNext(
          ContainerMessage.newBuilder()
              .setAttach(
                  AttachRequest.newBuilder()
                      .setContainerId(containerId)
                      .setSecret(secret)
                      .setPid(ProcessHandle.current().pid())
                      .setState(ContainerState.CONTAINER_STATE_RUNNING)
                      .setInstanceId("crashy-1"))
              .build());
      return ended.get(15, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
    }
  }

  private AgentConfig config() {
    return new AgentConfig(
        new HostPort("127.0.0.1", controller.port()),
        dir.resolve("agent"),
        "node-a",
        new PortRange(20000, 20999),
        new HostPort("127.0.0.1", 0),
        Optional.empty(),
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        AgentConfig.Containers.defaults());
  }

  private NodeAgent startAgent(AgentConfig config) {
    NodeAgent started = NodeAgent.start(config);
    await().atMost(Duration.ofSeconds(30)).until(controller::connected);
    return started;
  }

  private ServiceAssignment assignment(String instance, int port) throws Exception {
    return ServiceAssignment.newBuilder()
        .setService(instance.substring(0, instance.lastIndexOf('-')))
        .setInstanceId(instance)
        .addPorts(PortBinding.newBuilder().setName("http").setPort(port))
        .setArtifact(jar.toString())
        .setEntry(CrashableService.class.getName())
        .setGracePeriodMs(3000)
        .setStartTimeoutMs(30_000)
        .setHealth(
            HealthCheck.newBuilder()
                .setType(HealthCheck.Type.TYPE_TCP)
                .setIntervalMs(200)
                .setTimeoutMs(1000))
        .build();
  }

  /** Starts a cold container for the instance and waits until it runs. */
  private ContainerReport startInstance(String instance, int port) throws Exception {
    CommandResult started =
        controller
            .send(
                Command.newBuilder()
                    .setStartContainers(
                        StartContainers.newBuilder()
                            .setProfile(PROFILE)
                            .setCount(1)
                            .setColdAssignment(assignment(instance, port))))
            .get(30, TimeUnit.SECONDS);
    assertThat(started.getOk()).as(started.getError()).isTrue();
    String id = started.getContainerIds(0);
    ContainerReport running =
        await()
            .atMost(START)
            .until(
                () -> latest(id),
                r -> r != null && r.getState() == ContainerState.CONTAINER_STATE_RUNNING);
    track(running);
    return running;
  }

  private ContainerReport awaitSpare() {
    ContainerReport spare =
        await()
            .atMost(START)
            .until(
                () ->
                    controller.reports().stream()
                        .filter(r -> r.getState() == ContainerState.CONTAINER_STATE_IDLE)
                        .filter(r -> r.getInstanceId().isEmpty())
                        .findFirst()
                        .orElse(null),
                r -> r != null);
    track(spare);
    return spare;
  }

  private ContainerReport awaitPendingRestart(String containerId) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> latest(containerId),
            r ->
                r != null
                    && r.getState() == ContainerState.CONTAINER_STATE_FAILED
                    && r.getRestartAtMs() > 0);
  }

  private ContainerReport awaitRunningRestart(String instance, Set<String> before) {
    ContainerReport running =
        await()
            .atMost(START)
            .until(
                () ->
                    controller.reports(instance).stream()
                        .filter(r -> !before.contains(r.getContainerId()))
                        .filter(r -> r.getState() == ContainerState.CONTAINER_STATE_RUNNING)
                        .findFirst()
                        .orElse(null),
                r -> r != null);
    track(running);
    return running;
  }

  /** The latest report of a container, or null. */
  private ContainerReport latest(String containerId) {
    ContainerReport last = null;
    for (ContainerReport r : controller.reports()) {
      if (r.getContainerId().equals(containerId)) {
        last = r;
      }
    }
    if (last != null) {
      track(last);
    }
    return last;
  }

  private void track(ContainerReport report) {
    if (report.getPid() > 0 && tracked.add(report.getPid())) {
      ProcessHandle.of(report.getPid()).ifPresent(processes::register);
    }
  }

  /** GET over a connection of its own (HTTP/1.0): no pooled connection outlives a crash. */
  private static String get(int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      socket
          .getOutputStream()
          .write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), US_ASCII);
      int body = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.") || body < 0) {
        throw new IOException("not an HTTP response: " + response);
      }
      return response.substring(body + 4);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
