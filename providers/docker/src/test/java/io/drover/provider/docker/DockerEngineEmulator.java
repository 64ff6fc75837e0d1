package io.drover.provider.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A loopback HTTP server that speaks the part of the Docker Engine API (v1.41) the docker provider
 * uses: create, start, stop, remove and list containers with label filters. It keeps containers in
 * memory, refuses a published host port another container holds (as the Engine does at start), and
 * can throttle (429), refuse every call as an authorization plugin does (403), or run out of room
 * (500, no space left on device). Every call is recorded.
 */
public final class DockerEngineEmulator implements AutoCloseable {
  static final String API_VERSION = "1.41";
  static final String THROTTLE_MESSAGE = "toomanyrequests: rate limit exceeded for the Docker API";
  public static final String AUTH_MESSAGE =
      "authorization denied by plugin drover-authz: client certificate not allowed";
  static final String FULL_MESSAGE =
      "failed to create the container's root filesystem: no space left on device";

  private static final Pattern VERSIONED = Pattern.compile("/v(1\\.\\d+)(/.*)");
  private static final Pattern CONTAINER = Pattern.compile("/containers/([^/]+)(/start|/stop)?");

  record Call(String method, String path, String apiVersion, Map<String, String> query) {}

  /** A container as the Engine keeps it. */
  public static final class EmulatedContainer {
    public final String id;
    final String name;
    final String image;
    final List<String> env;
    final Map<String, String> labels;
    final TreeSet<Integer> hostPorts;
    final long created;
    String state = "created";

    EmulatedContainer(
        String id,
        String name,
        String image,
        List<String> env,
        Map<String, String> labels,
        TreeSet<Integer> hostPorts,
        long created) {
      this.id = id;
      this.name = name;
      this.image = image;
      this.env = env;
      this.labels = labels;
      this.hostPorts = hostPorts;
      this.created = created;
    }

    public String state() {
      return state;
    }

    public Map<String, String> labels() {
      return labels;
    }

    List<String> env() {
      return env;
    }

    TreeSet<Integer> hostPorts() {
      return hostPorts;
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final HttpServer server;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, EmulatedContainer> containers = new LinkedHashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private int throttled;
  private int throttledAnswers;
  private boolean refuseAll;
  private int containerLimit = Integer.MAX_VALUE;

  private DockerEngineEmulator(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
  }

  public static DockerEngineEmulator start() throws IOException {
    DockerEngineEmulator emulator =
        new DockerEngineEmulator(
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    emulator.server.start();
    return emulator;
  }

  /** Over TLS, refusing clients without a certificate its context trusts (dockerd --tlsverify). */
  static DockerEngineEmulator startTls(SSLContext tls) throws IOException {
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    DockerEngineEmulator emulator = new DockerEngineEmulator(https);
    emulator.server.start();
    return emulator;
  }

  /** The DOCKER_HOST to reach it at. */
  public String host() {
    return "tcp://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- faults and inspection ----

  synchronized void throttle(int times) {
    throttled = times;
    throttledAnswers = 0;
  }

  synchronized int throttledAnswers() {
    return throttledAnswers;
  }

  public synchronized void refuseAll(boolean on) {
    refuseAll = on;
  }

  /** Creating fails with "no space left on device" once this many containers exist. */
  synchronized void containerLimit(int limit) {
    containerLimit = limit;
  }

  public synchronized List<EmulatedContainer> containers() {
    return List.copyOf(containers.values());
  }

  public synchronized Optional<EmulatedContainer> container(String id) {
    return Optional.ofNullable(containers.get(id));
  }

  /** A container made behind the provider's back, running. */
  synchronized String seed(String name, Map<String, String> labels, String state) {
    String id = newId();
    EmulatedContainer c =
        new EmulatedContainer(
            id,
            name,
            "other:latest",
            List.of(),
            Map.copyOf(labels),
            new TreeSet<>(),
            System.currentTimeMillis() / 1000);
    c.state = state;
    containers.put(id, c);
    return id;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized List<Call> calls(String method, String pathSuffix) {
    return calls.stream()
        .filter(c -> c.method().equals(method) && c.path().endsWith(pathSuffix))
        .toList();
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Answer answer;
      try {
        answer = answer(exchange.getRequestMethod(), exchange.getRequestURI(), body);
      } catch (RuntimeException e) {
        answer = error(500, "emulator: " + e);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Api-Version", API_VERSION);
      if (answer.body == null) {
        exchange.sendResponseHeaders(answer.status, -1);
      } else {
        byte[] out = answer.body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private record Answer(int status, String body) {}

  private Answer error(int status, String message) {
    ObjectNode node = json.createObjectNode().put("message", message);
    return new Answer(status, node.toString());
  }

  private synchronized Answer answer(String method, URI uri, byte[] body) throws IOException {
    String path = uri.getRawPath();
    String version = "";
    Matcher v = VERSIONED.matcher(path);
    if (v.matches()) {
      version = v.group(1);
      path = v.group(2);
    }
    Map<String, String> query = query(uri.getRawQuery());
    calls.add(new Call(method, path, version, query));
    if (refuseAll) {
      return error(403, AUTH_MESSAGE);
    }
    if (throttled > 0) {
      throttled--;
      throttledAnswers++;
      return error(429, THROTTLE_MESSAGE);
    }
    if (method.equals("GET") && path.equals("/_ping")) {
      return new Answer(200, "OK");
    }
    if (method.equals("GET") && path.equals("/containers/json")) {
      return list(query);
    }
    if (method.equals("POST") && path.equals("/containers/create")) {
      return create(query.get("name"), json.readTree(body));
    }
    Matcher m = CONTAINER.matcher(path);
    if (!m.matches()) {
      return error(404, "page not found");
    }
    EmulatedContainer c = containers.get(m.group(1));
    if (c == null) {
      return error(404, "No such container: " + m.group(1));
    }
    String action = m.group(2) == null ? "" : m.group(2);
    if (method.equals("POST") && action.equals("/start")) {
      if (c.state.equals("running")) {
        return new Answer(304, null);
      }
      for (EmulatedContainer other : containers.values()) {
        if (other != c && other.state.equals("running")) {
          for (int port : c.hostPorts) {
            if (other.hostPorts.contains(port)) {
              return error(
                  500,
                  "driver failed programming external connectivity on endpoint "
                      + c.name
                      + ": Bind for 0.0.0.0:"
                      + port
                      + " failed: port is already allocated");
            }
          }
        }
      }
      c.state = "running";
      return new Answer(204, null);
    }
    if (method.equals("POST") && action.equals("/stop")) {
      if (!c.state.equals("running")) {
        return new Answer(304, null);
      }
      c.state = "exited";
      return new Answer(204, null);
    }
    if (method.equals("DELETE") && action.isEmpty()) {
      if (c.state.equals("running") && !"true".equals(query.get("force"))) {
        return error(409, "You cannot remove a running container " + c.id);
      }
      containers.remove(c.id);
      return new Answer(204, null);
    }
    return error(404, "page not found");
  }

  private Answer create(String name, JsonNode spec) {
    if (name == null || name.isEmpty()) {
      name = "c" + HexFormat.of().formatHex(random.generateSeed(3));
    }
    for (EmulatedContainer c : containers.values()) {
      if (c.name.equals(name)) {
        return error(409, "Conflict. The container name \"/" + name + "\" is already in use");
      }
    }
    if (containers.size() >= containerLimit) {
      return error(500, FULL_MESSAGE);
    }
    List<String> env = new ArrayList<>();
    spec.path("Env").forEach(e -> env.add(e.asText()));
    Map<String, String> labels = new LinkedHashMap<>();
    spec.path("Labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    TreeSet<Integer> hostPorts = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> bindings =
        spec.path("HostConfig").path("PortBindings").fields();
    while (bindings.hasNext()) {
      for (JsonNode binding : bindings.next().getValue()) {
        hostPorts.add(Integer.parseInt(binding.path("HostPort").asText()));
      }
    }
    String id = newId();
    containers.put(
        id,
        new EmulatedContainer(
            id,
            name,
            spec.path("Image").asText(),
            List.copyOf(env),
            labels,
            hostPorts,
            System.currentTimeMillis() / 1000));
    ObjectNode out = json.createObjectNode().put("Id", id);
    out.putArray("Warnings");
    return new Answer(201, out.toString());
  }

  private Answer list(Map<String, String> query) throws IOException {
    boolean all = "1".equals(query.get("all")) || "true".equals(query.get("all"));
    List<String> labelFilters = new ArrayList<>();
    if (query.containsKey("filters")) {
      json.readTree(query.get("filters")).path("label").forEach(f -> labelFilters.add(f.asText()));
    }
    ArrayNode out = json.createArrayNode();
    for (EmulatedContainer c : containers.values()) {
      if (!all && !c.state.equals("running")) {
        continue;
      }
      boolean matches = true;
      for (String filter : labelFilters) {
        int eq = filter.indexOf('=');
        matches &=
            eq < 0
                ? c.labels.containsKey(filter)
                : filter.substring(eq + 1).equals(c.labels.get(filter.substring(0, eq)));
      }
      if (!matches) {
        continue;
      }
      ObjectNode node = out.addObject();
      node.put("Id", c.id);
      node.putArray("Names").add("/" + c.name);
      node.put("Image", c.image);
      node.put("Created", c.created);
      node.put("State", c.state);
      node.put("Status", c.state.equals("running") ? "Up 1 second" : "Exited (0)");
      ObjectNode labels = node.putObject("Labels");
      c.labels.forEach(labels::put);
    }
    return new Answer(200, out.toString());
  }

  private String newId() {
    return HexFormat.of().formatHex(random.generateSeed(32));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(key, value);
    }
    return out;
  }
}
