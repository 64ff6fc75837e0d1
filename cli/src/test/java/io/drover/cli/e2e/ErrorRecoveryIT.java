package io.drover.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drover.testing.ProcessCleanupExtension;
import io.drover.v1.ContainerState;
import io.drover.v1.Event;
import io.drover.v1.GetNodeRequest;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.ListContainersRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances that fail on a node that stays reachable are replaced make-before-break, as their
 * service's recovery policy says. One cluster runs four services, one per policy, and goes through
 * them in turn (the processes are shared: each case alone would start a cluster of its own):
 *
 * <ol>
 *   <li>{@code onErrors: restart}, with one node: a fresh instance takes its place, on the same
 *       node, ready before the old one stops;
 *   <li>{@code onErrors: replace}, with one node: the replacement is not placed on the failing node
 *       and waits while the old one keeps serving; once a second node joins, it starts there and
 *       only then the old one stops;
 *   <li>{@code crashThreshold: 2}: the second crash within the window replaces the crash-looping
 *       instance on the other node, which is ready before the old one stops;
 *   <li>{@code onErrors: unhealthy}: as {@code replace}, and the node is marked unhealthy
 *       (cordoned).
 * </ol>
 */
class ErrorRecoveryIT {
  @RegisterExtension final ProcessCleanupExtension cleanup = new ProcessCleanupExtension();
  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void failingInstancesAreRestartedOrReplacedAsTheirPolicySaysReadyBeforeTheOldOneStops()
      throws Exception {
    DroverProcesses drover = new DroverProcesses(dir, cleanup);
    Path catalog =
        catalog(
            linked(
                "restarted",
                "recovery: {errorThreshold: 3, errorWindow: 1m, onErrors: restart}",
                "replaced",
                "recovery: {errorThreshold: 3, errorWindow: 1m, onErrors: replace}",
                "crashing",
                "recovery: {crashThreshold: 2, crashWindow: 5m}",
                "hello",
                "recovery: {errorThreshold: 3, errorWindow: 1m, onErrors: unhealthy}"));
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    try (TestCluster cluster = TestCluster.onLoopback(drover)) {
      cluster.startController(catalog);
      cluster.startAgent("node-1", "20000-20999");
      await()
          .atMost(Duration.ofSeconds(120))
          .ignoreExceptions()
          .until(
              () ->
                  Set.of("restarted", "replaced", "crashing", "hello").stream()
                      .allMatch(
                          s -> {
                            List<Instance> ready = ready(cluster, s);
                            return ready.size() == 1 && cluster.serves(ready.get(0));
                          }));
      Map<String, AtomicInteger> fewest = new ConcurrentHashMap<>();
      sampler.scheduleWithFixedDelay(
          () -> {
            try {
              List<Instance> ready = cluster.ready();
              fewest.forEach(
                  (service, min) ->
                      min.accumulateAndGet(
                          (int) ready.stream().filter(i -> i.getService().equals(service)).count(),
                          Math::min));
            } catch (RuntimeException e) {
              // A slow answer is not a sample.
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);

      // 1. restart: with node-1 alone, the fresh instance runs on node-1.
      Instance restarted = only(ready(cluster, "restarted"));
      fewest.put("restarted", new AtomicInteger(Integer.MAX_VALUE));
      reportErrors(restarted, 3);
      String restartedBy = replacementOf(cluster, restarted);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                Instance fresh = only(ready(cluster, "restarted"));
                return fresh.getId().equals(restartedBy) && cluster.serves(fresh);
              });
      assertThat(only(ready(cluster, "restarted")).getNodeName()).isEqualTo("node-1");
      await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.serves(restarted));
      assertThat(fewest.get("restarted").get())
          .as("fewest READY instances of restarted while it was restarted")
          .isEqualTo(1);
      List<Event> events = cluster.events(500);
      assertThat(replacing(events, restarted).getMessage())
          .contains("3 errors within 1m")
          .doesNotContain("on another node");
      assertMakeBeforeBreak(events, restarted, restartedBy);

      // 2. replace: with node-1 alone, the replacement waits, and the old one keeps serving.
      Instance replaced = only(ready(cluster, "replaced"));
      fewest.put("replaced", new AtomicInteger(Integer.MAX_VALUE));
      reportErrors(replaced, 3);
      String replacedBy = replacementOf(cluster, replaced);
      AtomicReference<Instance> waiting = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                Instance r = instance(cluster, replacedBy);
                waiting.set(r);
                // Placement has seen it (the first reason is "replacing ...") and refused node-1.
                return r.getState() == InstanceState.INSTANCE_STATE_PENDING
                    && !r.getReason().startsWith("replacing")
                    && !r.getReason().contains("on node node-1");
              });
      assertThat(waiting.get().getNodeName()).as("where the waiting replacement is").isEmpty();
      assertThat(cluster.serves(replaced)).as("the old instance serves meanwhile").isTrue();
      cluster.startAgent("node-2", "21000-21999");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                Instance fresh = only(ready(cluster, "replaced"));
                return fresh.getId().equals(replacedBy)
                    && fresh.getNodeName().equals("node-2")
                    && cluster.serves(fresh);
              });
      await().atMost(Duration.ofSeconds(30)).until(() -> !cluster.serves(replaced));
      assertThat(fewest.get("replaced").get())
          .as("fewest READY instances of replaced while it was replaced")
          .isEqualTo(1);
      events = cluster.events(500);
      assertThat(replacing(events, replaced).getMessage())
          .contains("3 errors within 1m")
          .contains("on another node");
      assertThat(events)
          .filteredOn(
              e ->
                  e.getKind().equals("INSTANCE_PLACED")
                      && e.getSubject().equals("instance/" + replacedBy))
          .isNotEmpty()
          .allSatisfy(e -> assertThat(e.getAttributesMap()).containsEntry("node", "node-2"));
      assertMakeBeforeBreak(events, replaced, replacedBy);

      // 3. crashThreshold 2: the second crash replaces it on node-2.
      Instance crashing = only(ready(cluster, "crashing"));
      crash(crashing);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                Instance back = instance(cluster, crashing.getId());
                return back.getState() == InstanceState.INSTANCE_STATE_READY
                    && back.getRestarts() == 1
                    && cluster.serves(back);
              });
      assertThat(cluster.events(500)).noneMatch(e -> isReplacing(e, crashing));
      crash(crashing);
      String crashingBy = replacementOf(cluster, crashing);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                Instance fresh = only(ready(cluster, "crashing"));
                return fresh.getId().equals(crashingBy)
                    && fresh.getNodeName().equals("node-2")
                    && cluster.serves(fresh);
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  cluster.instances().stream()
                      .filter(i -> i.getId().equals(crashing.getId()))
                      .allMatch(i -> i.getState() == InstanceState.INSTANCE_STATE_STOPPED));
      events = cluster.events(500);
      assertThat(replacing(events, crashing).getMessage())
          .contains("2 crashes within 5m (crashThreshold 2)")
          .contains("on another node");
      assertMakeBeforeBreak(events, crashing, crashingBy);

      // 4. unhealthy: replaced on node-2, and node-1 is cordoned.
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  cluster
                      .control()
                      .listContainers(ListContainersRequest.newBuilder().setNode("node-2").build())
                      .getContainersList()
                      .stream()
                      .anyMatch(
                          c -> c.getContainer().getState() == ContainerState.CONTAINER_STATE_IDLE));
      Instance failing = only(ready(cluster, "hello"));
      fewest.put("hello", new AtomicInteger(Integer.MAX_VALUE));
      reportErrors(failing, 3);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                List<Instance> ready = ready(cluster, "hello");
                return ready.size() == 1
                    && ready.get(0).getNodeName().equals("node-2")
                    && cluster.serves(ready.get(0));
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> !cluster.serves(failing));
      assertThat(fewest.get("hello").get())
          .as("fewest READY instances of hello while it was replaced")
          .isEqualTo(1);
      events = cluster.events(500);
      assertThat(replacing(events, failing).getMessage()).contains("3 errors within 1m");
      assertMakeBeforeBreak(events, failing, replacementOf(cluster, failing));
      assertThat(events).anyMatch(e -> e.getKind().equals("NODE_UNHEALTHY"));
      assertThat(
              cluster
                  .control()
                  .getNode(GetNodeRequest.newBuilder().setNode("node-1").build())
                  .getCordoned())
          .isTrue();
    } finally {
      sampler.shutdownNow();
      assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * A catalog of the example HelloService under each name (its error and crash endpoints on), each
   * with one instance and the given recovery line.
   */
  private Path catalog(Map<String, String> recoveryByService) throws IOException {
    StringBuilder yaml = new StringBuilder("services:\n");
    recoveryByService.forEach(
        (name, recovery) ->
            yaml.append(
                """
                  - name: %s
                    artifact: {path: %s}
                    entry: io.drover.examples.hello.HelloService
                    ports: [http]
                    gracePeriod: 1s
                    replicas: {min: 1, max: 2, initial: 1}
                    warmPool: 1
                    systemProperties: {hello.errorEndpoint: "true", hello.crashEndpoint: "true"}
                    %s
                """
                    .formatted(name, TestCluster.EXAMPLES, recovery)));
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, yaml);
    return catalog;
  }

  /** The pairs in their order: the catalog lists the services as the cases take them. */
  private static Map<String, String> linked(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static List<Instance> ready(TestCluster cluster, String service) {
    return cluster.ready().stream().filter(i -> i.getService().equals(service)).toList();
  }

  private static Instance only(List<Instance> instances) {
    assertThat(instances).hasSize(1);
    return instances.get(0);
  }

  private static Instance instance(TestCluster cluster, String id) {
    return cluster.instances().stream()
        .filter(i -> i.getId().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no instance " + id));
  }

  /** GET /error {@code times} times: the instance reports an error each time. */
  private void reportErrors(Instance instance, int times) throws Exception {
    URI error = uri(instance, "/error");
    for (int i = 0; i < times; i++) {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(error).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(202);
    }
  }

  /** GET /crash: the instance's JVM halts with exit code 3. */
  private void crash(Instance instance) throws InterruptedException {
    try {
      http.send(
          HttpRequest.newBuilder(uri(instance, "/crash")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException expected) {
      // The JVM ends while answering.
    }
  }

  private static URI uri(Instance instance, String path) {
    return URI.create(
        "http://" + instance.getAddress() + ":" + instance.getPorts(0).getPort() + path);
  }

  private static boolean isReplacing(Event e, Instance old) {
    return e.getKind().equals("INSTANCE_REPLACING")
        && e.getSubject().equals("instance/" + old.getId());
  }

  private static Event replacing(List<Event> events, Instance old) {
    return events.stream()
        .filter(e -> isReplacing(e, old))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no INSTANCE_REPLACING of " + old.getId()));
  }

  /** The id of the instance that replaces {@code old}, once the controller has decided so. */
  private static String replacementOf(TestCluster cluster, Instance old) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> replacing(cluster.events(500), old).getAttributesOrThrow("replacement"),
            id -> !id.isEmpty());
  }

  /**
   * The replacement turned READY before the old instance began to stop (left discovery, was
   * stopped, or its pending restart was cancelled), and the old one stopped because of it.
   */
  private static void assertMakeBeforeBreak(List<Event> events, Instance old, String replacement) {
    long ready =
        events.stream()
            .filter(
                e ->
                    e.getKind().equals("INSTANCE_READY")
                        && e.getSubject().equals("instance/" + replacement))
            .mapToLong(Event::getSequence)
            .min()
            .orElseThrow(() -> new AssertionError("no INSTANCE_READY of " + replacement));
    Event firstStop =
        events.stream()
            .filter(e -> e.getSubject().equals("instance/" + old.getId()))
            .filter(
                e ->
                    Set.of("INSTANCE_DRAINING", "INSTANCE_STOPPING", "INSTANCE_STOPPED")
                        .contains(e.getKind()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no stop of " + old.getId()));
    assertThat(firstStop.getMessage()).contains("replaced by " + replacement);
    assertThat(firstStop.getSequence())
        .as("%s stops after its replacement %s is READY", old.getId(), replacement)
        .isGreaterThan(ready);
  }
}
