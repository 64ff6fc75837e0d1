package io.drover.controller.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.drover.controller.agents.Health;
import io.drover.controller.catalog.RecoveryPolicy;
import io.drover.controller.containers.JvmProfile;
import io.drover.controller.instances.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static final long GIB = 1L << 30;

  static ServicePlan plan(String name, boolean cold, int memoryMb, int cpuMillis) {
    return new ServicePlan(
        name,
        new JvmProfile("default", "", 128, List.of()),
        cold,
        memoryMb,
        cpuMillis,
        1,
        10,
        1,
        List.of("http"),
        "file:/srv/app.jar",
        "",
        "app.Main",
        List.of(),
        Map.of(),
        Map.of(),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        0,
        new Health(Health.Type.READY, "", "", Duration.ofSeconds(5), Duration.ofSeconds(1)),
        Optional.empty(),
        RecoveryPolicy.DEFAULT);
  }

  static Placement.Candidate node(
      String name, List<String> idle, int starting, int mine, long requestedMemoryMb) {
    return new Placement.Candidate(
        "id-" + name, name, idle, starting, mine, 8 * GIB, 6 * GIB, 4, requestedMemoryMb, 0, 0.1);
  }

  @Test
  void aRoundDecidesAsARoundBuiltAfreshFromTheSameNodesAfterAnyPutsAndRemoves() {
    ServicePlan plan = plan("orders", false, 1024, 250);
    java.util.Random random = new java.util.Random(8);
    for (int trial = 0; trial < 200; trial++) {
      Map<String, Placement.Candidate> current = new java.util.LinkedHashMap<>();
      for (int n = 0; n < 1 + random.nextInt(30); n++) {
        Placement.Candidate c = randomNode("n" + n, random);
        current.put(c.nodeId(), c);
      }
      Placement.Round round = new Placement.Round(plan, current.values());
      for (int step = 0; step < 40; step++) {
        String nodeId = "id-n" + random.nextInt(30);
        if (random.nextInt(4) == 0) {
          round.remove(nodeId);
          current.remove(nodeId);
        } else {
          Placement.Candidate fresh = randomNode(nodeId.substring(3), random);
          round.put(fresh);
          current.put(nodeId, fresh);
        }
        String avoid = random.nextInt(5) == 0 ? "id-n" + random.nextInt(30) : "";
        Placement.Decision expected = new Placement.Round(plan, current.values()).place(avoid);
        Placement.Decision decided = round.place(avoid);
        if (expected instanceof Placement.Decision.NoRoom) {
          assertThat(decided).isInstanceOf(Placement.Decision.NoRoom.class);
        } else {
          assertThat(decided).as("trial %d step %d", trial, step).isEqualTo(expected);
        }
      }
    }
  }

  private static Placement.Candidate randomNode(String name, java.util.Random random) {
    return node(
        name,
        random.nextInt(3) == 0 ? List.of("c-" + name) : List.of(),
        random.nextInt(3) == 0 ? 1 : 0,
        random.nextInt(3),
        random.nextInt(8) * 1024L);
  }

  @Test
  void anIdleContainerComesFirstEvenOnABusierNode() {
    var decision =
        Placement.place(
            plan("orders", false, 128, 250),
            List.of(node("a", List.of(), 0, 0, 0), node("b", List.of("c-1"), 0, 3, 512)));

    assertThat(decision).isEqualTo(new Placement.Decision.Warm("id-b", "c-1"));
  }

  @Test
  void withoutIdleContainersItWaitsForOneStartingThenStartsOneWhereServiceIsThinnest() {
    ServicePlan plan = plan("orders", false, 128, 250);

    assertThat(
            Placement.place(
                plan, List.of(node("a", List.of(), 0, 0, 0), node("b", List.of(), 1, 2, 0))))
        .isEqualTo(new Placement.Decision.AwaitContainer("id-b"));
    assertThat(
            Placement.place(
                plan, List.of(node("a", List.of(), 0, 2, 0), node("b", List.of(), 0, 1, 0))))
        .isEqualTo(new Placement.Decision.StartContainer("id-b"));
  }

  @Test
  void amongIdleNodesTheServiceSpreadsThenTheEmptierNodeThenTheName() {
    ServicePlan plan = plan("orders", false, 128, 250);

    assertThat(
            Placement.place(
                plan,
                List.of(
                    node("a", List.of("a-1"), 0, 2, 0),
                    node("b", List.of("b-1"), 0, 1, 1024),
                    node("c", List.of("c-1"), 0, 1, 256))))
        .isEqualTo(new Placement.Decision.Warm("id-c", "c-1"));
    assertThat(
            Placement.place(
                plan,
                List.of(node("z", List.of("z-1"), 0, 0, 0), node("y", List.of("y-1"), 0, 0, 0))))
        .isEqualTo(new Placement.Decision.Warm("id-y", "y-1"));
  }

  @Test
  void coldServicesGetTheBestFittingNodeAndNodesWithoutRoomAreSkipped() {
    ServicePlan cold = plan("batch", true, 4096, 250);

    assertThat(
            Placement.place(
                cold,
                List.of(node("full", List.of(), 0, 0, 5000), node("roomy", List.of(), 0, 3, 0))))
        .isEqualTo(new Placement.Decision.Cold("id-roomy"));
    var none = Placement.place(cold, List.of(node("full", List.of("f-1"), 0, 0, 5000)));
    assertThat(none).isInstanceOf(Placement.Decision.NoRoom.class);
    assertThat(((Placement.Decision.NoRoom) none).reason())
        .contains("no node has room for 4096 MiB")
        .contains("full has");
    assertThat(Placement.place(cold, List.of()))
        .isEqualTo(new Placement.Decision.NoRoom("no node is READY"));
  }

  @Test
  void nodeUsageSumsLiveInstancesPerNodeAndFollowsAPlacement() {
    ServicePlan orders = plan("orders", false, 128, 250);
    ServicePlan billing = plan("billing", false, 512, 1000);
    Map<String, ServicePlan> plans = Map.of("orders", orders, "billing", billing);
    Instant now = Instant.now();
    List<Instance> instances = new ArrayList<>();
    Instance o1 = new Instance("orders-1", "orders", now);
    o1.placed("n1", "c1", Map.of("http", 20000), now);
    Instance b1 = new Instance("billing-1", "billing", now);
    b1.placed("n1", "c2", Map.of("http", 20001), now);
    Instance stopped = new Instance("orders-2", "orders", now);
    stopped.placed("n1", "c3", Map.of("http", 20002), now);
    stopped.stopped();
    Instance pending = new Instance("orders-3", "orders", now);
    instances.addAll(List.of(o1, b1, stopped, pending));

    NodeUsage usage = new NodeUsage(plans);
    instances.forEach(usage::add);

    assertThat(usage.memoryMb("n1")).isEqualTo(640);
    assertThat(usage.cpuMillis("n1")).isEqualTo(1250);
    assertThat(usage.serviceInstances("orders", "n1")).isEqualTo(1);
    assertThat(usage.memoryMb("n2")).isZero();

    usage.remove(pending);
    pending.placed("n2", "c9", Map.of("http", 20000), now);
    usage.add(pending);
    assertThat(usage.serviceInstances("orders", "n2")).isEqualTo(1);
    assertThat(usage.memoryMb("n2")).isEqualTo(128);
    usage.remove(o1);
    assertThat(usage.serviceInstances("orders", "n1")).isZero();
    assertThat(usage.serviceInstances("billing", "n1")).isEqualTo(1);
    assertThat(usage.memoryMb("n1")).isEqualTo(512);

    // A pending instance whose container is starting on n3 counts there for the rest of the pass.
    usage.earmark("billing", "n3");
    assertThat(usage.serviceInstances("billing", "n3")).isEqualTo(1);
    assertThat(usage.memoryMb("n3")).isEqualTo(512);
    assertThat(usage.cpuMillis("n3")).isEqualTo(1000);
  }

  @Test
  void aRoundTakesTheBestFittingNodeAndSeesEachNodeAsTheSchedulerPutsItBack() {
    ServicePlan plan = plan("orders", false, 1024, 250);
    // "full" has no memory left for 1 GiB; "c" ranks after "a" and "b" by the service's spread.
    Placement.Candidate full = node("full", List.of(), 0, 0, 7 * 1024);
    Placement.Round round =
        new Placement.Round(
            plan,
            List.of(
                node("c", List.of(), 0, 1, 0),
                full,
                node("b", List.of(), 0, 0, 512),
                node("a", List.of(), 0, 0, 0)));

    assertThat(round.place("")).isEqualTo(new Placement.Decision.StartContainer("id-a"));
    // The scheduler puts "a" back as the decision left it: one more instance of the service.
    round.put(node("a", List.of(), 0, 1, 1024));
    assertThat(round.place("")).isEqualTo(new Placement.Decision.StartContainer("id-b"));
    round.put(node("b", List.of(), 0, 1, 1536));
    assertThat(round.place("")).isEqualTo(new Placement.Decision.StartContainer("id-c"));
    assertThat(round.place("id-c")).isEqualTo(new Placement.Decision.StartContainer("id-a"));

    // A spare starting on "b" and then an IDLE container on "c" take precedence, in that order.
    round.put(node("b", List.of(), 1, 1, 1536));
    assertThat(round.place("")).isEqualTo(new Placement.Decision.AwaitContainer("id-b"));
    round.put(node("c", List.of("c-7"), 0, 1, 0));
    assertThat(round.place("")).isEqualTo(new Placement.Decision.Warm("id-c", "c-7"));
    assertThat(round.place("id-c")).isEqualTo(new Placement.Decision.AwaitContainer("id-b"));

    Placement.Round alone = new Placement.Round(plan, List.of(node("a", List.of(), 0, 0, 0)));
    assertThat(alone.place("id-a"))
        .isEqualTo(
            new Placement.Decision.NoRoom(
                "no node but a, which this instance must leave, has room"));

    round.remove("id-a");
    round.remove("id-b");
    round.remove("id-c");
    assertThat(round.place(""))
        .isInstanceOfSatisfying(
            Placement.Decision.NoRoom.class,
            none -> assertThat(none.reason()).startsWith("no node has room for 1024 MiB"));
  }

  @Test
  void aRoundGivesTheSameDecisionsAsLookingAtEveryNode() {
    ServicePlan plan = plan("orders", false, 256, 100);
    java.util.Random random = new java.util.Random(7);
    List<Placement.Candidate> nodes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      nodes.add(
          new Placement.Candidate(
              "id-" + i,
              String.format("n%03d", i % 150), // some names repeat: ties go by id
              random.nextInt(4) == 0 ? List.of("c-" + i) : List.of(),
              random.nextInt(3) == 0 ? 1 : 0,
              random.nextInt(3),
              8 * GIB,
              random.nextInt(8) * GIB,
              4,
              random.nextInt(7500),
              random.nextInt(4000),
              random.nextInt(4) / 4.0));
    }
    Placement.Round round = new Placement.Round(plan, nodes);
    for (int step = 0; step < 300; step++) {
      Placement.Decision fromRound = round.place("");
      Placement.Decision fromScan = scan(plan, nodes);
      if (fromScan instanceof Placement.Decision.NoRoom) {
        assertThat(fromRound).as("step %d", step).isInstanceOf(Placement.Decision.NoRoom.class);
        break;
      }
      assertThat(fromRound).as("step %d", step).isEqualTo(fromScan);
      // Fill the chosen node as a placement would, and hand it back to the round.
      String chosen =
          fromRound instanceof Placement.Decision.Warm w
              ? w.nodeId()
              : fromRound instanceof Placement.Decision.AwaitContainer a
                  ? a.nodeId()
                  : ((Placement.Decision.StartContainer) fromRound).nodeId();
      for (int i = 0; i < nodes.size(); i++) {
        Placement.Candidate c = nodes.get(i);
        if (c.nodeId().equals(chosen)) {
          Placement.Candidate filled =
              new Placement.Candidate(
                  c.nodeId(),
                  c.name(),
                  List.of(),
                  0,
                  c.serviceInstances() + 1,
                  c.memoryTotalBytes(),
                  c.memoryAvailableBytes(),
                  c.cores(),
                  c.requestedMemoryMb() + plan.memoryMb(),
                  c.requestedCpuMillis() + plan.cpuMillis(),
                  c.cpuLoad());
          nodes.set(i, filled);
          round.put(filled);
        }
      }
    }
  }

  /** The decision written as plainly as possible: sort every fitting node, take the first. */
  private static Placement.Decision scan(ServicePlan plan, List<Placement.Candidate> nodes) {
    List<Placement.Candidate> fitting =
        nodes.stream()
            .filter(n -> Placement.fits(plan, n))
            .sorted(
                java.util.Comparator.comparing(
                        (Placement.Candidate n) -> n, Placement::compareSpread)
                    .thenComparing(Placement.Candidate::nodeId))
            .toList();
    if (fitting.isEmpty()) {
      return new Placement.Decision.NoRoom("");
    }
    for (Placement.Candidate n : fitting) {
      if (!n.idleContainers().isEmpty()) {
        return new Placement.Decision.Warm(n.nodeId(), n.idleContainers().get(0));
      }
    }
    for (Placement.Candidate n : fitting) {
      if (n.startingSpares() > 0) {
        return new Placement.Decision.AwaitContainer(n.nodeId());
      }
    }
    return new Placement.Decision.StartContainer(fitting.get(0).nodeId());
  }
}
