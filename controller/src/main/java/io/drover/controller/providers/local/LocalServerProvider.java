package io.drover.controller.providers.local;

import io.drover.common.net.PortRange;
import io.drover.provider.ProviderContext;
import io.drover.provider.ProviderException;
import io.drover.provider.ProvisionRequest;
import io.drover.provider.Server;
import io.drover.provider.ServerProvider;
import io.drover.provider.ServerProviderFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * "Servers" that are agent processes on this machine, each with its own data dir and its own slice
 * of the port range: real processes, for tests, demos and one-machine setups. Each server is a slot
 * {@code local-1 .. local-N}; the agent's pid file in the slot's directory tells which are in use,
 * so a restarted controller finds them again.
 */
public final class LocalServerProvider implements ServerProvider {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(LocalServerProvider.class);

  static final String PREFIX = "provider.local.";

  private final String controller;
  private final Path dir;
  private final int maxServers;
  private final PortRange[] slices;
  private final String java;
  private final String classpath;
  private final String mainClass;
  private final List<String> jvmFlags;
  private final boolean exitWithController;

  /** Agents in network namespaces of their own (root only), or in the host's network. */
  private boolean namespaces;

  private final boolean namespacesAsked;

  LocalServerProvider(ProviderContext context) throws ProviderException {
    Map<String, String> s = context.settings();
    this.controller = context.controllerAddress();
    this.dir = context.dataDir().resolve("local");
    this.maxServers = positive(s, "maxServers", "4");
    PortRange range;
    try {
      range = PortRange.parse(s.getOrDefault("ports", "10000-19999"));
    } catch (IllegalArgumentException e) {
      throw config("ports", e.getMessage());
    }
    if (range.size() < maxServers) {
      throw config("ports", range + " has fewer ports than maxServers " + maxServers);
    }
    this.slices = range.split(maxServers);
    this.java =
        s.getOrDefault(
            "java",
            ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    this.classpath = s.getOrDefault("classpath", absolute(System.getProperty("java.class.path")));
    this.mainClass = s.getOrDefault("mainClass", "io.drover.cli.DroverCommand");
    this.jvmFlags =
        Arrays.stream(
                s.getOrDefault(
                        "jvmFlags",
                        "-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=1 -Xss512k")
                    .split("\\s+"))
            .filter(f -> !f.isBlank())
            .toList();
    this.exitWithController = Boolean.parseBoolean(s.getOrDefault("exitWithController", "false"));
    String network = s.getOrDefault("network", "auto");
    Optional<String> noNamespaces = NetworkNamespace.unavailableBecause();
    switch (network) {
      case "shared" -> namespacesAsked = false;
      case "namespace" -> {
        if (noNamespaces.isPresent()) {
          throw config("network", "namespace is not possible here: " + noNamespaces.get());
        }
        namespacesAsked = true;
      }
      case "auto" -> namespacesAsked = false;
      default -> throw config("network", "'" + network + "' is not one of auto, namespace, shared");
    }
    this.namespaces = namespacesAsked || (network.equals("auto") && noNamespaces.isEmpty());
    if (namespaces && maxServers > 63) {
      throw config("maxServers", maxServers + " is more than 63, the most namespaces it numbers");
    }
  }

  @Override
  public String kind() {
    return "local";
  }

  @Override
  public boolean canProvision() {
    return true;
  }

  @Override
  public boolean canRelease() {
    return true;
  }

  @Override
  public synchronized List<Server> provision(ProvisionRequest request) throws ProviderException {
    List<Server> started = new ArrayList<>();
    // A process just started may still show its launcher's command line, not " agent ": the
    // slots this call took count as taken whatever their pid file shows.
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (int n = 0; n < request.count(); n++) {
      int slot = freeSlot(taken);
      if (slot < 0) {
        for (Server server : started) {
          release(server);
        }
        throw new ProviderException(
            ProviderException.Kind.QUOTA,
            "all " + maxServers + " local servers are in use (" + PREFIX + "maxServers)");
      }
      taken.add(slot);
      started.add(start(slot, request));
    }
    return started;
  }

  private Server start(int slot, ProvisionRequest request) throws ProviderException {
    String name = "local-" + slot;
    Path home = dir.resolve(name);
    String reach = controller;
    NetworkNamespace ns = namespaces ? namespace(slot) : null;
    if (ns != null) {
      reach = ns.hostAddress() + ":" + controllerPort();
    }
    try {
      Files.createDirectories(home);
      List<String> command = new ArrayList<>();
      command.add(java);
      command.addAll(jvmFlags);
      command.addAll(List.of("-cp", classpath, mainClass, "agent"));
      command.addAll(
          List.of(
              "--controller",
              reach,
              "--data-dir",
              home.resolve("data").toString(),
              "--name",
              name,
              "--ports",
              slices[slot - 1].toString(),
              "--http-listen",
              "127.0.0.1:0"));
      if (exitWithController) {
        command.addAll(List.of("--exit-with-parent", Long.toString(ProcessHandle.current().pid())));
      }
      ProcessBuilder builder =
          new ProcessBuilder(ns == null ? command : ns.exec(command))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()));
      tlsEnvironment(builder.environment(), request);
      Process process = builder.start();
      Files.writeString(
          home.resolve("agent.pid"), Long.toString(process.pid()), StandardCharsets.US_ASCII);
      return server(name, process.toHandle(), home);
    } catch (IOException e) {
      if (ns != null) {
        ns.close();
      }
      throw new ProviderException(
          ProviderException.Kind.OTHER, "cannot start agent " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * With a join token the agent joins over TLS as any other; it dials the controller at an address
   * of this machine, which the controller's certificate names as {@code localhost}. In the
   * environment, not in the arguments, so that the token does not show in the process list.
   */
  private static void tlsEnvironment(Map<String, String> env, ProvisionRequest request) {
    if (request.joinToken().isEmpty()) {
      env.put("DROVER_TLS_MODE", "off");
      return;
    }
    env.put("DROVER_TLS_MODE", "on");
    env.put("DROVER_JOIN_TOKEN", request.joinToken());
    env.put("DROVER_CA_FINGERPRINT", request.caFingerprint());
    env.put("DROVER_TLS_SERVER_NAME", "localhost");
  }

  /**
   * The namespace of a slot: {@code 10.214.P.4s/30}, P being the controller's port modulo 256 so
   * that two controllers on one machine rarely meet. The controller must listen on all interfaces
   * to be reached from inside; when it does not, {@code auto} falls back to the host's network.
   */
  private NetworkNamespace namespace(int slot) throws ProviderException {
    String tag = "l" + slot + "-" + controllerPort();
    NetworkNamespace ns;
    try {
      ns = NetworkNamespace.create(tag, "10.214." + controllerPort() % 256 + "." + 4 * slot);
    } catch (RuntimeException e) {
      throw new ProviderException(
          ProviderException.Kind.OTHER,
          "cannot create the network namespace: " + e.getMessage(),
          e);
    }
    if (reachable(ns.hostAddress(), controllerPort())) {
      return ns;
    }
    ns.close();
    String why =
        "the controller is not reachable at "
            + ns.hostAddress()
            + ":"
            + controllerPort()
            + " from a namespace; it must listen on all interfaces (listen 0.0.0.0:PORT)";
    if (namespacesAsked) {
      throw config("network", why);
    }
    log.warn("{}: local agents share the host's network instead", why);
    namespaces = false;
    return null;
  }

  private int controllerPort() {
    return Integer.parseInt(controller.substring(controller.lastIndexOf(':') + 1));
  }

  private static boolean reachable(String host, int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void release(Server server) {
    Path home = dir.resolve(server.nodeName());
    agent(home)
        .ifPresent(
            agent -> {
              // Containers first: once the agent is gone they are no longer its descendants.
              List<ProcessHandle> tree = new ArrayList<>(agent.descendants().toList());
              tree.add(agent);
              tree.forEach(ProcessHandle::destroy);
              for (ProcessHandle p : tree) {
                try {
                  p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception stillRunning) {
                  p.destroyForcibly();
                }
              }
            });
    deleteTree(home);
    if (namespaces) {
      NetworkNamespace.delete(
          "l" + server.nodeName().substring("local-".length()) + "-" + controllerPort());
    }
  }

  @Override
  public synchronized List<Server> list() {
    List<Server> servers = new ArrayList<>();
    for (int slot = 1; slot <= maxServers; slot++) {
      Path home = dir.resolve("local-" + slot);
      Optional<ProcessHandle> agent = agent(home);
      if (agent.isPresent()) {
        servers.add(server("local-" + slot, agent.get(), home));
      }
    }
    return servers;
  }

  private int freeSlot(java.util.Set<Integer> taken) {
    for (int slot = 1; slot <= maxServers; slot++) {
      if (!taken.contains(slot) && agent(dir.resolve("local-" + slot)).isEmpty()) {
        return slot;
      }
    }
    return -1;
  }

  /**
   * The live agent process of a slot, if its pid file names one that still runs as an agent: its
   * command line says " agent ", or, since right after the start the command line is still the
   * launcher's and the JDK reads only its first page, it started before the pid file was written (a
   * pid the system handed to another process since would have started later).
   */
  private static Optional<ProcessHandle> agent(Path home) {
    try {
      Path pidFile = home.resolve("agent.pid");
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      Instant written = Files.getLastModifiedTime(pidFile).toInstant();
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(
              p ->
                  p.info().commandLine().map(c -> c.contains(" agent ")).orElse(true)
                      || p.info()
                          .startInstant()
                          .map(started -> !started.isAfter(written.plus(PID_CLOCK_SLACK)))
                          .orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Process start times and file times come from different clocks; they may differ this much. */
  private static final Duration PID_CLOCK_SLACK = Duration.ofSeconds(2);

  private Server server(String name, ProcessHandle agent, Path home) {
    return new Server(
        name,
        "local",
        name,
        agent.info().startInstant().orElse(Instant.now()),
        Map.of(
            "pid", Long.toString(agent.pid()),
            "ports", slices[Integer.parseInt(name.substring("local-".length())) - 1].toString(),
            "log", home.resolve("agent.log").toString()));
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A file a dying process still wrote: the next start of the slot overwrites it.
    }
  }

  private static String absolute(String classpath) {
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(e -> !e.isEmpty())
        .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static int positive(Map<String, String> s, String key, String fallback)
      throws ProviderException {
    try {
      int value = Integer.parseInt(s.getOrDefault(key, fallback).trim());
      if (value < 1) {
        throw config(key, value + " must be at least 1");
      }
      return value;
    } catch (NumberFormatException e) {
      throw config(key, "'" + s.get(key) + "' is not a whole number");
    }
  }

  private static ProviderException config(String key, String problem) {
    return new ProviderException(ProviderException.Kind.CONFIG, PREFIX + key + ": " + problem);
  }

  @Override
  public void close() {}

  /** Registered for {@link java.util.ServiceLoader}. */
  public static final class Factory implements ServerProviderFactory {
    @Override
    public String kind() {
      return "local";
    }

    @Override
    public ServerProvider create(ProviderContext context) throws ProviderException {
      return new LocalServerProvider(context);
    }
  }
}
