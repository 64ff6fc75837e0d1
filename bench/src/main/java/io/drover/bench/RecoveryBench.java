package io.drover.bench;

import io.drover.controller.config.ControllerConfig;
import io.drover.controller.providers.local.NetworkNamespace;
import io.drover.v1.Event;
import io.drover.v1.Instance;
import io.drover.v1.InstanceState;
import io.drover.v1.NodeState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Recovery time (issue 5): how long a service is short of instances when a node dies or is cut off.
 * A controller in this JVM, two agents as processes of their own, the hello service with 2
 * instances and a warm pool of 2 per node. For the default failure-detector settings and for fast
 * ones, R rounds each of:
 *
 * <ul>
 *   <li><b>dead node</b>: {@code kill -9} of the node running the instances (its agent, then its
 *       container JVMs) until every replacement on the other node answers {@code GET /} with its
 *       own greeting; the killed node then comes back as a new agent process with a fresh data dir
 *       and the same name, and the next round kills the other node;
 *   <li><b>partition</b> (as root only): each agent runs in a network namespace of its own; the
 *       link of the node running the instances is cut until the replacements serve, then restored,
 *       and the heal time runs until the originals are stopped (fencing) and exactly the desired
 *       count serves.
 * </ul>
 *
 * <pre>
 * java -cp bench/target/drover-bench.jar io.drover.bench.RecoveryBench [ROUNDS] [JSON] [SETTING...]
 * </pre>
 *
 * SETTING is {@code defaults} or {@code fast}; both when none is given.
 */
public final class RecoveryBench {
  /** The failure detector's settings, and the recovery target for them. */
  record Setting(
      String name,
      Duration suspectAfter,
      Duration lostAfter,
      Duration telemetryInterval,
      Duration target) {
    ControllerConfig.Liveness liveness() {
      return new ControllerConfig.Liveness(suspectAfter, lostAfter, Duration.ZERO);
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "suspectAfter %d ms, lostAfter %d ms, telemetryInterval %d ms",
          suspectAfter.toMillis(),
          lostAfter.toMillis(),
          telemetryInterval.toMillis());
    }
  }

  static final List<Setting> SETTINGS =
      List.of(
          // Issue 5: at most lostAfter + 1 s with the defaults, 2.5 s with the fast settings.
          new Setting(
              "defaults",
              Duration.ofSeconds(2),
              Duration.ofSeconds(5),
              Duration.ofSeconds(1),
              Duration.ofSeconds(6)),
          new Setting(
              "fast",
              Duration.ofMillis(500),
              Duration.ofMillis(1500),
              Duration.ofMillis(100),
              Duration.ofMillis(2500)));

  private static final String CATALOG =
      """
      profiles:
        small: {heapMb: 64, flags: [-XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xss512k]}
      services:
        - name: hello
          artifact: {path: %s}
          entry: io.drover.examples.hello.HelloService
          profile: small
          replicas: {min: 1, max: 4, initial: 2}
          ports: [http]
          warmPool: 2
          gracePeriod: 1s
      """;

  private static final int DESIRED = 2;
  private static final int WARM_POOL = 2;

  /** Two nodes with disjoint instance port ranges, outside the kernel's ephemeral range. */
  private static final String[][] NODES = {{"node-a", "26100-26149"}, {"node-b", "26150-26199"}};

  /** Quiet time before each round, so that the round does not share the CPU with a JVM start. */
  private static final Duration SETTLE = Duration.ofSeconds(2);

  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(120);

  /**
   * One round's figures in milliseconds; heal is 0 for a dead node.
   *
   * @param rejected how often the controller closed the returning agent's stream as a protocol
   *     violation while the partition healed
   */
  record Round(double detection, double serving, double heal, int rejected) {}

  private final Path root;
  private final Path cliJar;
  private final String catalog;
  private volatile RecoveryCluster current;

  private RecoveryBench(Path root, Path cliJar, Path examplesJar) {
    this.root = root;
    this.cliJar = cliJar;
    this.catalog = CATALOG.replace("%s", examplesJar.toString());
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path json = Path.of(args.length > 1 ? args[1] : "bench/results/recovery.json");
    List<String> wanted = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
    List<Setting> settings =
        SETTINGS.stream().filter(s -> wanted.isEmpty() || wanted.contains(s.name())).toList();
    if (settings.isEmpty()) {
      throw new IllegalArgumentException(
          "no such setting: " + wanted + "; use defaults and/or fast");
    }
    Path examplesJar = jar("drover.examples.jar", "examples/target/drover-examples.jar");
    Path cliJar = jar("drover.cli.jar", "cli/target/drover-cli.jar");
    quietLogs();
    Optional<String> noPartition = NetworkNamespace.unavailableBecause();
    Path root = Files.createTempDirectory("drover-recovery-");
    RecoveryBench bench = new RecoveryBench(root, cliJar, examplesJar);
    Thread cleanup = new Thread(bench::cleanUp, "recovery-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Map<Setting, Map<String, Object>> results = new LinkedHashMap<>();
    try {
      for (Setting setting : settings) {
        System.out.printf("== %s: %s%n", setting.name(), setting.describe());
        List<Round> dead = bench.deadNode(setting, rounds);
        List<Round> partition = List.of();
        if (noPartition.isEmpty()) {
          partition = bench.partition(setting, rounds);
        } else {
          System.out.println("partition skipped: " + noPartition.get());
        }
        System.out.println(summary(setting, rounds, dead, partition, noPartition));
        results.put(setting, figures(setting, dead, partition, noPartition));
      }
    } finally {
      bench.cleanUp();
    }
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, json(rounds, results));
  }

  /** A built jar, from a system property or its place in the source tree. */
  private static Path jar(String property, String fallback) {
    Path jar = Path.of(System.getProperty(property, fallback)).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw -pl bench -am package first");
    }
    return jar;
  }

  /** The bench prints its own progress; the controller's INFO lines would drown it. */
  private static void quietLogs() {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.drover"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
  }

  // ---------------------------------------------------------------- dead node

  private List<Round> deadNode(Setting setting, int rounds) throws Exception {
    List<Round> results = new ArrayList<>();
    try (RecoveryCluster cluster = open(setting, "dead", false)) {
      Nodes nodes = startNodes(cluster, Optional.empty(), Optional.empty());
      for (int round = 1; round <= rounds; round++) {
        Pair pair = steady(cluster, nodes);
        List<Instance> originals = live(cluster, pair.victim().id());
        TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
        long killedAtMs = System.currentTimeMillis();
        long killedAt = System.nanoTime();
        List<ProcessHandle> killed = cluster.kill(pair.victim().agent(), pair.victim().id());
        double serving =
            awaitReplacements(cluster, originals, pair.survivor().id(), killedAt) / 1e6;
        double detection = lostEvent(cluster, pair.victim().id()) - killedAtMs;
        Round r = new Round(detection, serving, 0, 0);
        results.add(r);
        System.out.printf(
            Locale.ROOT,
            "dead node %s round %d: killed %s (agent + %d containers); lost after %.0f ms,"
                + " replacements serving on %s after %.0f ms%n",
            setting.name(),
            round,
            pair.victim().agent().name(),
            killed.size() - 1,
            r.detection(),
            pair.survivor().agent().name(),
            r.serving());
        // The dead server comes back: a new agent process, a fresh data dir, the same name.
        for (ProcessHandle p : killed) {
          p.onExit().get(10, TimeUnit.SECONDS);
        }
        RecoveryCluster.Agent old = pair.victim().agent();
        nodes.replace(pair.victim(), join(cluster, old.name(), old.ports(), Optional.empty()));
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- partition

  private List<Round> partition(Setting setting, int rounds) throws Exception {
    List<Round> results = new ArrayList<>();
    try (RecoveryCluster cluster = open(setting, "partition", true)) {
      String tag = "rb" + ProcessHandle.current().pid() % 100_000;
      Nodes nodes =
          startNodes(
              cluster,
              Optional.of(cluster.namespace(tag + "a", 0)),
              Optional.of(cluster.namespace(tag + "b", 4)));
      for (int round = 1; round <= rounds; round++) {
        Pair pair = steady(cluster, nodes);
        NetworkNamespace ns = pair.victim().agent().ns().orElseThrow();
        List<Instance> originals = live(cluster, pair.victim().id());
        TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
        long cutAtMs = System.currentTimeMillis();
        long cutAt = System.nanoTime();
        ns.cut();
        double serving = awaitReplacements(cluster, originals, pair.survivor().id(), cutAt) / 1e6;
        double detection = lostEvent(cluster, pair.victim().id()) - cutAtMs;
        long restoredAtMs = System.currentTimeMillis();
        long restoredAt = System.nanoTime();
        ns.restore();
        RecoveryCluster.waitFor(
            HEAL_TIMEOUT,
            "the originals to stop and " + DESIRED + " instances to serve after the link returned",
            () ->
                cluster.nodeState(pair.victim().id()) == NodeState.NODE_STATE_READY
                    && originals.stream().noneMatch(cluster::serves)
                    && servingCount(cluster) == DESIRED);
        double heal = (System.nanoTime() - restoredAt) / 1e6;
        int rejected =
            (int)
                cluster.events(500).stream()
                    .filter(e -> e.getKind().equals("AGENT_STREAM_REJECTED"))
                    .filter(e -> e.getSubject().equals("node/" + pair.victim().agent().name()))
                    .filter(e -> e.getTimeMs() >= restoredAtMs)
                    .count();
        Round r = new Round(detection, serving, heal, rejected);
        results.add(r);
        System.out.printf(
            Locale.ROOT,
            "partition %s round %d: cut %s; lost after %.0f ms, replacements serving on %s after"
                + " %.0f ms; link back, originals stopped and %d serving %.0f ms later"
                + " (stream rejected %d times meanwhile)%n",
            setting.name(),
            round,
            pair.victim().agent().name(),
            r.detection(),
            pair.survivor().agent().name(),
            r.serving(),
            DESIRED,
            r.heal(),
            r.rejected());
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- steps

  private RecoveryCluster open(Setting setting, String phase, boolean allInterfaces)
      throws IOException {
    RecoveryCluster cluster =
        new RecoveryCluster(
            root.resolve(setting.name() + "-" + phase),
            cliJar,
            catalog,
            setting.liveness(),
            setting.telemetryInterval(),
            allInterfaces);
    current = cluster;
    return cluster;
  }

  /** A node the bench started: its agent process and its node id. */
  record Started(RecoveryCluster.Agent agent, String id) {}

  /** The victim of a round (the node running the instances) and the other node. */
  record Pair(Started victim, Started survivor) {}

  /** The two nodes as they are now; a killed node is replaced by its successor. */
  static final class Nodes {
    final List<Started> list = new ArrayList<>();

    void replace(Started old, Started successor) {
      list.set(list.indexOf(old), successor);
    }
  }

  /**
   * The first node starts alone and takes both instances; the second joins after, so that the first
   * round has one node running everything and one with an idle warm pool.
   */
  private Nodes startNodes(
      RecoveryCluster cluster, Optional<NetworkNamespace> first, Optional<NetworkNamespace> second)
      throws InterruptedException {
    Nodes nodes = new Nodes();
    Started a = join(cluster, NODES[0][0], NODES[0][1], first);
    nodes.list.add(a);
    RecoveryCluster.waitFor(
        RECOVERY_TIMEOUT,
        DESIRED + " instances serving on " + NODES[0][0],
        () -> live(cluster, a.id()).size() == DESIRED && servingCount(cluster) == DESIRED);
    nodes.list.add(join(cluster, NODES[1][0], NODES[1][1], second));
    return nodes;
  }

  /** Starts an agent and waits until its node is READY with its warm pool full. */
  private static Started join(
      RecoveryCluster cluster, String name, String ports, Optional<NetworkNamespace> ns)
      throws InterruptedException {
    RecoveryCluster.Agent agent = cluster.startAgent(name, ports, ns);
    String id = cluster.awaitNode(agent);
    RecoveryCluster.waitFor(
        RECOVERY_TIMEOUT,
        "the warm pool of " + name,
        () -> cluster.idleContainers(id) >= WARM_POOL);
    return new Started(agent, id);
  }

  /**
   * Waits for the state every round starts from: both nodes READY, the desired count serving, all
   * on one node (the victim), and a full warm pool on the other.
   */
  private static Pair steady(RecoveryCluster cluster, Nodes nodes) throws InterruptedException {
    Pair[] pair = new Pair[1];
    RecoveryCluster.waitFor(
        RECOVERY_TIMEOUT,
        "both nodes READY, " + DESIRED + " instances serving on one, a full warm pool on the other",
        () -> {
          Started a = nodes.list.get(0);
          Started b = nodes.list.get(1);
          if (cluster.nodeState(a.id()) != NodeState.NODE_STATE_READY
              || cluster.nodeState(b.id()) != NodeState.NODE_STATE_READY
              || servingCount(cluster) != DESIRED) {
            return false;
          }
          int onA = live(cluster, a.id()).size();
          int onB = live(cluster, b.id()).size();
          Pair p = onA >= onB ? new Pair(a, b) : new Pair(b, a);
          if (onA + onB != DESIRED
              || Math.min(onA, onB) != 0
              || cluster.idleContainers(p.survivor().id()) < WARM_POOL) {
            return false;
          }
          pair[0] = p;
          return true;
        });
    return pair[0];
  }

  /** The instances of the service on the node, in any state but gone. */
  private static List<Instance> live(RecoveryCluster cluster, String nodeId) {
    return cluster.instances().stream()
        .filter(i -> i.getNode().equals(nodeId))
        .filter(i -> !gone(i.getState()))
        .toList();
  }

  private static boolean gone(InstanceState state) {
    return state == InstanceState.INSTANCE_STATE_STOPPED
        || state == InstanceState.INSTANCE_STATE_FAILED;
  }

  /** How many READY instances of the service answer with their own greeting. */
  private static long servingCount(RecoveryCluster cluster) {
    return cluster.instances().stream()
        .filter(i -> i.getState() == InstanceState.INSTANCE_STATE_READY)
        .filter(cluster::serves)
        .count();
  }

  /**
   * Polls until an instance of the survivor that is not one of the originals answers for each
   * original; a replacement counts from the first moment it answers.
   *
   * @return nanoseconds from {@code since} until the last replacement first answered
   */
  private static long awaitReplacements(
      RecoveryCluster cluster, List<Instance> originals, String survivorId, long since)
      throws InterruptedException {
    Set<String> old = originals.stream().map(Instance::getId).collect(Collectors.toSet());
    Map<String, Long> servingSince = new HashMap<>();
    while (true) {
      try {
        for (Instance i : cluster.instances()) {
          if (!old.contains(i.getId())
              && i.getNode().equals(survivorId)
              && !gone(i.getState())
              && !servingSince.containsKey(i.getId())
              && cluster.serves(i)) {
            servingSince.put(i.getId(), System.nanoTime());
          }
        }
      } catch (RuntimeException e) {
        // A call that failed on a busy machine: try again.
      }
      if (servingSince.size() >= old.size()) {
        return servingSince.values().stream().max(Comparator.naturalOrder()).orElseThrow() - since;
      }
      if (System.nanoTime() - since > RECOVERY_TIMEOUT.toNanos()) {
        throw new IllegalStateException(
            "replacements not serving "
                + RECOVERY_TIMEOUT.toSeconds()
                + " s after the failure: "
                + cluster.instances());
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  /** When the controller declared the node lost (epoch milliseconds), from its event. */
  private static long lostEvent(RecoveryCluster cluster, String nodeId)
      throws InterruptedException {
    long[] at = new long[1];
    RecoveryCluster.waitFor(
        Duration.ofSeconds(10),
        "the NODE_LOST event of " + nodeId,
        () -> {
          for (Event e : cluster.events(500)) {
            if (e.getKind().equals("NODE_LOST")
                && nodeId.equals(e.getAttributesMap().get("nodeId"))) {
              at[0] = e.getTimeMs();
            }
          }
          return at[0] != 0;
        });
    return at[0];
  }

  /** Kills whatever runs and removes the temporary files; safe to call twice. */
  private synchronized void cleanUp() {
    RecoveryCluster cluster = current;
    if (cluster != null) {
      cluster.close();
    }
    if (Files.exists(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        System.err.println("could not remove " + root + ": " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- report

  private static String summary(
      Setting setting,
      int rounds,
      List<Round> dead,
      List<Round> partition,
      Optional<String> noPartition) {
    String line =
        String.format(
            Locale.ROOT,
            "recovery %s rounds=%d target=%.1fs: dead node detection p50=%.0fms,"
                + " serving p50=%.0fms max=%.0fms",
            setting.name(),
            rounds,
            setting.target().toMillis() / 1000.0,
            p(dead, Round::detection, 50),
            p(dead, Round::serving, 50),
            p(dead, Round::serving, 100));
    if (partition.isEmpty()) {
      return line + "; partition skipped (" + noPartition.orElse("no rounds") + ")";
    }
    return line
        + String.format(
            Locale.ROOT,
            "; partition detection p50=%.0fms, serving p50=%.0fms max=%.0fms, heal p50=%.0fms"
                + " max=%.0fms",
            p(partition, Round::detection, 50),
            p(partition, Round::serving, 50),
            p(partition, Round::serving, 100),
            p(partition, Round::heal, 50),
            p(partition, Round::heal, 100));
  }

  private static double p(
      List<Round> rounds, java.util.function.ToDoubleFunction<Round> field, int percentile) {
    return BenchCluster.percentile(
        rounds.stream().map(r -> field.applyAsDouble(r)).toList(), percentile);
  }

  private static Map<String, Object> figures(
      Setting setting, List<Round> dead, List<Round> partition, Optional<String> noPartition) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("suspectAfterMs", setting.suspectAfter().toMillis());
    f.put("lostAfterMs", setting.lostAfter().toMillis());
    f.put("telemetryIntervalMs", setting.telemetryInterval().toMillis());
    f.put("targetMs", setting.target().toMillis());
    f.put("deadNode", times(dead, false));
    if (partition.isEmpty()) {
      f.put("partition", Map.of("skipped", noPartition.orElse("no rounds")));
    } else {
      f.put("partition", times(partition, true));
    }
    return f;
  }

  private static Map<String, Object> times(List<Round> rounds, boolean heal) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("rounds", rounds.size());
    t.put("detectionP50Ms", p(rounds, Round::detection, 50));
    t.put("detectionMaxMs", p(rounds, Round::detection, 100));
    t.put("servingP50Ms", p(rounds, Round::serving, 50));
    t.put("servingMaxMs", p(rounds, Round::serving, 100));
    if (heal) {
      t.put("healP50Ms", p(rounds, Round::heal, 50));
      t.put("healMaxMs", p(rounds, Round::heal, 100));
    }
    t.put("detectionMs", rounds.stream().map(Round::detection).toList());
    t.put("servingMs", rounds.stream().map(Round::serving).toList());
    if (heal) {
      t.put("healMs", rounds.stream().map(Round::heal).toList());
      t.put("streamsRejectedWhileHealing", rounds.stream().map(Round::rejected).toList());
    }
    return t;
  }

  private static String json(int rounds, Map<Setting, Map<String, Object>> results) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("rounds", rounds);
    Map<String, Object> settings = new LinkedHashMap<>();
    results.forEach((setting, figures) -> settings.put(setting.name(), figures));
    top.put("settings", settings);
    top.put("cores", Runtime.getRuntime().availableProcessors());
    top.put("java", Runtime.version().toString());
    return write(top) + "\n";
  }

  /** A small JSON writer for maps, lists, numbers and strings. */
  private static String write(Object value) {
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(e -> write(e.getKey().toString()) + ":" + write(e.getValue()))
          .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof List<?> list) {
      return list.stream().map(RecoveryBench::write).collect(Collectors.joining(",", "[", "]"));
    }
    if (value instanceof Double d) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
