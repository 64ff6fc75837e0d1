package io.drover.provider.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTPS server that speaks the part of the Azure Resource Manager REST API the azure
 * provider uses: create (PUT), list (with nextLink pages) and delete virtual machines of one
 * resource group, and the Flexible scale sets they may join. HTTPS, because the SDK sends bearer
 * tokens over nothing else. It checks the bearer token, keeps VMs in memory (a deleted VM is
 * "Deleting" until the next call, then gone), and can throttle (429 with Retry-After), refuse the
 * caller's authorization (403 AuthorizationFailed) or refuse a VM for the cores quota (409
 * OperationNotAllowed). Every call is recorded.
 */
final class ArmEmulator implements AutoCloseable {
  static final String TOKEN = "emulator-token";
  static final String THROTTLE_MESSAGE =
      "TooManyRequests: The request is being throttled as the limit has been reached for"
          + " operation type - Write_30Min.";
  static final String AUTH_MESSAGE =
      "AuthorizationFailed: The client 'drover-test' with object id"
          + " '00000000-0000-0000-0000-00000000c0de' does not have authorization to perform action";
  static final String QUOTA_MESSAGE =
      "OperationNotAllowed: Operation could not be completed as it results in exceeding approved"
          + " standardDSv5Family Cores quota.";

  private static final Pattern VMS =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines(?:/([^/]+))?",
          Pattern.CASE_INSENSITIVE);

  record Call(String method, String path, String apiVersion, String authorization, JsonNode body) {}

  /** A VM as ARM keeps it, with the custom data ARM never returns. */
  static final class EmulatedVm {
    final String id;
    final String name;
    final ObjectNode resource;
    final String customData;
    String state = "Creating";

    EmulatedVm(String id, String name, ObjectNode resource, String customData) {
      this.id = id;
      this.name = name;
      this.resource = resource;
      this.customData = customData;
    }

    Map<String, String> tags() {
      Map<String, String> tags = new LinkedHashMap<>();
      resource
          .path("tags")
          .fields()
          .forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
      return tags;
    }

    String customDataScript() {
      return new String(Base64.getDecoder().decode(customData), StandardCharsets.UTF_8);
    }

    JsonNode properties() {
      return resource.path("properties");
    }
  }

  private final ObjectMapper json = new ObjectMapper();
  private final HttpsServer server;
  private final Map<String, EmulatedVm> vms = new LinkedHashMap<>();
  private final Set<String> scaleSets = new HashSet<>();
  private final List<Call> calls = new ArrayList<>();
  private int throttled;
  private int throttledAnswers;
  private boolean refuseAll;
  private int vmLimit = Integer.MAX_VALUE;
  private int pageSize = Integer.MAX_VALUE;

  private ArmEmulator(SSLContext tls) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext("/", this::handle);
  }

  static ArmEmulator start(SSLContext tls) throws IOException {
    ArmEmulator emulator = new ArmEmulator(tls);
    emulator.server.start();
    return emulator;
  }

  String endpoint() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/";
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

  synchronized void refuseAll(boolean on) {
    refuseAll = on;
  }

  synchronized void vmLimit(int limit) {
    vmLimit = limit;
  }

  synchronized void pageSize(int size) {
    pageSize = size;
  }

  synchronized void addScaleSet(String name) {
    scaleSets.add(name.toLowerCase());
  }

  /** The VMs that exist and are not being deleted. */
  synchronized List<EmulatedVm> liveVms() {
    return vms.values().stream().filter(v -> !v.state.equals("Deleting")).toList();
  }

  synchronized Optional<EmulatedVm> vm(String name) {
    return Optional.ofNullable(vms.get(name.toLowerCase()));
  }

  /** A VM made behind the provider's back. */
  synchronized void seed(String subscription, String group, String name, Map<String, String> tags) {
    ObjectNode resource = json.createObjectNode();
    String id = vmId(subscription, group, name);
    resource.put("id", id).put("name", name).put("location", "westeurope");
    ObjectNode t = resource.putObject("tags");
    tags.forEach(t::put);
    resource.putObject("properties");
    EmulatedVm vm = new EmulatedVm(id, name, resource, "");
    vm.state = "Succeeded";
    vms.put(name.toLowerCase(), vm);
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  // ---- HTTP ----

  private record Answer(int status, String body, Map<String, String> headers) {
    Answer(int status, String body) {
      this(status, body, Map.of());
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Answer answer;
      try {
        answer =
            answer(
                exchange.getRequestMethod(),
                exchange.getRequestURI(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                body);
      } catch (RuntimeException e) {
        answer = error(500, "InternalServerError", "emulator: " + e);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      if (answer.body() == null) {
        exchange.sendResponseHeaders(answer.status(), -1);
      } else {
        byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), out.length);
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private Answer error(int status, String code, String message) {
    ObjectNode root = json.createObjectNode();
    root.putObject("error").put("code", code).put("message", message);
    return new Answer(status, root.toString());
  }

  private static String colon(String text) {
    return text.substring(text.indexOf(": ") + 2);
  }

  private synchronized Answer answer(String method, URI uri, String authorization, byte[] body)
      throws IOException {
    String path = uri.getPath();
    Map<String, String> query = new LinkedHashMap<>();
    if (uri.getQuery() != null) {
      for (String pair : uri.getQuery().split("&")) {
        int eq = pair.indexOf('=');
        query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    JsonNode parsed = body.length == 0 ? null : json.readTree(body);
    calls.add(new Call(method, path, query.get("api-version"), authorization, parsed));
    // Between two calls time passes: created VMs run, deleted ones are gone.
    vms.values().removeIf(v -> v.state.equals("Deleting"));
    vms.values().forEach(v -> v.state = "Succeeded");

    if (!("Bearer " + TOKEN).equals(authorization)) {
      return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    if (refuseAll) {
      return error(
          403,
          "AuthorizationFailed",
          colon(AUTH_MESSAGE)
              + " '"
              + (method.equals("GET")
                  ? "Microsoft.Compute/virtualMachines/read"
                  : method.equals("PUT")
                      ? "Microsoft.Compute/virtualMachines/write"
                      : "Microsoft.Compute/virtualMachines/delete")
              + "' over scope '"
              + path
              + "' or the scope is invalid.");
    }
    if (throttled > 0) {
      throttled--;
      throttledAnswers++;
      Answer a = error(429, "TooManyRequests", colon(THROTTLE_MESSAGE));
      return new Answer(a.status(), a.body(), Map.of("Retry-After", "1"));
    }
    if (query.get("api-version") == null) {
      return error(
          400, "MissingApiVersionParameter", "The api-version query parameter is required.");
    }
    Matcher m = VMS.matcher(path);
    if (!m.matches()) {
      return error(404, "InvalidResourceType", "The resource type could not be found: " + path);
    }
    String subscription = m.group(1);
    String group = m.group(2);
    String name = m.group(3);
    if (name == null) {
      return method.equals("GET") ? list(uri, query) : error(405, "MethodNotAllowed", method);
    }
    EmulatedVm existing = vms.get(name.toLowerCase());
    switch (method) {
      case "GET":
        return existing == null
            ? notFound(group, name)
            : new Answer(200, view(existing).toString());
      case "DELETE":
        if (existing == null) {
          return new Answer(204, null);
        }
        existing.state = "Deleting";
        return new Answer(
            202,
            null,
            Map.of(
                "Location",
                endpoint()
                    + "subscriptions/"
                    + subscription
                    + "/providers/Microsoft.Compute/locations/westeurope/operations/"
                    + UUID.randomUUID()
                    + "?api-version="
                    + query.get("api-version")));
      case "PUT":
        return put(subscription, group, name, (ObjectNode) parsed);
      default:
        return error(405, "MethodNotAllowed", method);
    }
  }

  private Answer notFound(String group, String name) {
    return error(
        404,
        "ResourceNotFound",
        "The Resource 'Microsoft.Compute/virtualMachines/"
            + name
            + "' under resource group '"
            + group
            + "' was not found.");
  }

  private Answer put(String subscription, String group, String name, ObjectNode spec) {
    if (spec == null) {
      return error(400, "InvalidRequestContent", "The request content was invalid.");
    }
    JsonNode set = spec.path("properties").path("virtualMachineScaleSet").path("id");
    if (!set.isMissingNode()) {
      String setName = set.asText().substring(set.asText().lastIndexOf('/') + 1);
      if (!scaleSets.contains(setName.toLowerCase())) {
        return error(
            404,
            "ResourceNotFound",
            "The Resource 'Microsoft.Compute/virtualMachineScaleSets/"
                + setName
                + "' under resource group '"
                + group
                + "' was not found.");
      }
    }
    if (spec.path("properties").path("osProfile").path("customData").asText().isEmpty()) {
      return error(400, "InvalidParameter", "customData is required by this emulator");
    }
    if (liveVms().size() >= vmLimit) {
      return error(
          409,
          "OperationNotAllowed",
          colon(QUOTA_MESSAGE)
              + " Additional details - Deployment Model: Resource Manager, Location: westeurope,"
              + " Current Limit: "
              + 2 * vmLimit
              + ", Current Usage: "
              + 2 * liveVms().size()
              + ", Additional Required: 2");
    }
    String id = vmId(subscription, group, name);
    ObjectNode resource = spec.deepCopy();
    resource.put("id", id).put("name", name).put("type", "Microsoft.Compute/virtualMachines");
    ObjectNode properties = (ObjectNode) resource.path("properties");
    String customData = ((ObjectNode) properties.path("osProfile")).remove("customData").asText();
    properties.put("vmId", UUID.randomUUID().toString());
    properties.put("timeCreated", OffsetDateTime.now(ZoneOffset.UTC).toString());
    EmulatedVm vm = new EmulatedVm(id, name, resource, customData);
    vms.put(name.toLowerCase(), vm);
    return new Answer(201, view(vm).toString());
  }

  private ObjectNode view(EmulatedVm vm) {
    ObjectNode out = vm.resource.deepCopy();
    ((ObjectNode) out.path("properties")).put("provisioningState", vm.state);
    return out;
  }

  private Answer list(URI uri, Map<String, String> query) {
    int skip = Integer.parseInt(query.getOrDefault("$skiptoken", "0"));
    List<EmulatedVm> all = new ArrayList<>(vms.values());
    ObjectNode root = json.createObjectNode();
    ArrayNode value = root.putArray("value");
    int end = (int) Math.min((long) skip + pageSize, all.size());
    for (int i = skip; i < end; i++) {
      value.add(view(all.get(i)));
    }
    if (end < all.size()) {
      root.put(
          "nextLink",
          endpoint().substring(0, endpoint().length() - 1)
              + uri.getPath()
              + "?api-version="
              + query.get("api-version")
              + "&$skiptoken="
              + end);
    }
    return new Answer(200, root.toString());
  }

  private static String vmId(String subscription, String group, String name) {
    return "/subscriptions/"
        + subscription
        + "/resourceGroups/"
        + group
        + "/providers/Microsoft.Compute/virtualMachines/"
        + name;
  }
}
