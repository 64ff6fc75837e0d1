package io.drover.provider.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the EC2 Query API (version 2016-11-15) that the provider uses, on a loopback port:
 * RunInstances, TerminateInstances and DescribeInstances, answered with the XML EC2 sends. It keeps
 * instances in memory with their tags and user-data, and can inject the failures EC2 has:
 * throttling (RequestLimitExceeded, 503), refused credentials (AuthFailure, 401), an instance quota
 * (InstanceLimitExceeded), or any error on the next call of an action. Every call is recorded,
 * failed ones included, so a test sees the SDK's retries. Time moves one step a call: an instance
 * pending at one call runs at the next, one shutting down is terminated at the next, and {@link
 * #forgetTerminated} is the hour after which EC2 no longer knows it. Signatures are not checked.
 */
final class Ec2Emulator implements AutoCloseable {
  static final String API_VERSION = "2016-11-15";
  static final String DEFAULT_TEMPLATE_ID = "lt-0123456789abcdef0";
  static final String DEFAULT_TEMPLATE_NAME = "drover-node";
  static final String DEFAULT_TEMPLATE_TYPE = "t3.medium";

  private static final String NS = "http://ec2.amazonaws.com/doc/" + API_VERSION + "/";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern CREDENTIAL =
      Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/aws4_request");
  private static final Map<String, Integer> STATE_CODES =
      Map.of(
          "pending", 0,
          "running", 16,
          "shutting-down", 32,
          "terminated", 48,
          "stopping", 64,
          "stopped", 80);

  /** One request as the emulator received it. */
  record Call(String action, Map<String, String> params, String accessKeyId, String region) {
    String param(String name) {
      return params.get(name);
    }
  }

  /** A snapshot of an instance. */
  record EmulatedInstance(
      String id,
      String reservationId,
      String state,
      String instanceType,
      String launchTemplate,
      String launchTemplateVersion,
      Optional<String> subnetId,
      String zone,
      String privateIp,
      Instant launchTime,
      Map<String, String> tags,
      String userData,
      String clientToken) {}

  private record Fault(String action, int status, String code, String message) {}

  private static final class Instance {
    String id;
    String reservationId;
    String state;
    String instanceType;
    String launchTemplate;
    String launchTemplateVersion;
    String subnetId;
    String zone;
    String privateIp;
    Instant launchTime;
    Map<String, String> tags = new LinkedHashMap<>();
    String userData = "";
    String clientToken;

    EmulatedInstance snapshot() {
      return new EmulatedInstance(
          id,
          reservationId,
          state,
          instanceType,
          launchTemplate,
          launchTemplateVersion,
          Optional.ofNullable(subnetId),
          zone,
          privateIp,
          launchTime,
          Map.copyOf(tags),
          userData,
          clientToken);
    }
  }

  private static final class Ec2Error extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Ec2Error(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private final HttpServer server;
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, String> templateTypesById = new HashMap<>();
  private final Map<String, String> templateIdsByName = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private int throttled;
  private int throttledAnswers;
  private String throttledAction;
  private boolean refuseAll;
  private int instanceLimit = Integer.MAX_VALUE;
  private int pageSize = Integer.MAX_VALUE;
  private int nextIp = 10;

  private Ec2Emulator() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    addLaunchTemplate(DEFAULT_TEMPLATE_ID, DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE_TYPE);
  }

  /** Starts on a free loopback port, on the HTTP server's own dispatcher thread. */
  static Ec2Emulator start() throws IOException {
    Ec2Emulator emulator = new Ec2Emulator();
    emulator.server.start();
    return emulator;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- set-up and faults ----

  synchronized void addLaunchTemplate(String id, String name, String instanceType) {
    templateTypesById.put(id, instanceType);
    templateIdsByName.put(name, id);
  }

  /**
   * The next {@code times} calls of {@code action} (any action when null) get RequestLimitExceeded.
   */
  synchronized void throttle(String action, int times) {
    throttledAction = action;
    throttled = times;
    throttledAnswers = 0;
  }

  /** How many calls got RequestLimitExceeded since {@link #throttle}. */
  synchronized int throttledAnswers() {
    return throttledAnswers;
  }

  /** Every call is refused with AuthFailure (401) while on. */
  synchronized void refuseAll(boolean on) {
    refuseAll = on;
  }

  /** RunInstances fails with InstanceLimitExceeded once {@code limit} instances are live. */
  synchronized void instanceLimit(int limit) {
    instanceLimit = limit;
  }

  /** The next call of {@code action} fails with this error. */
  synchronized void failNext(String action, int status, String code, String message) {
    faults.add(new Fault(action, status, code, message));
  }

  /** DescribeInstances returns at most this many reservations a page, whatever MaxResults says. */
  synchronized void pageSize(int size) {
    pageSize = size;
  }

  /** An instance that was not created through the API: another cluster's, or a hand-made one. */
  synchronized String seed(Map<String, String> tags, String state) {
    Instance i =
        newInstance(DEFAULT_TEMPLATE_ID, "$Default", DEFAULT_TEMPLATE_TYPE, null, "us-east-1");
    i.tags.putAll(tags);
    i.state = state;
    return i.id;
  }

  /** Terminates an instance behind the controller's back, as from the console or a spot loss. */
  synchronized void terminateOutOfBand(String id) {
    Instance i = instances.get(id);
    if (i == null) {
      throw new IllegalArgumentException("no instance " + id);
    }
    i.state = "terminated";
  }

  /** EC2 forgets terminated instances after about an hour; this is that hour. */
  synchronized void forgetTerminated() {
    instances.values().removeIf(i -> i.state.equals("terminated"));
  }

  // ---- what happened ----

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  synchronized List<Call> calls(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).toList();
  }

  synchronized void clearCalls() {
    calls.clear();
  }

  synchronized List<EmulatedInstance> instances() {
    return instances.values().stream().map(Instance::snapshot).toList();
  }

  /** Instances that are neither terminated nor shutting down. */
  synchronized List<EmulatedInstance> liveInstances() {
    return instances.values().stream()
        .filter(i -> !i.state.equals("terminated") && !i.state.equals("shutting-down"))
        .map(Instance::snapshot)
        .toList();
  }

  synchronized Optional<EmulatedInstance> instance(String id) {
    return Optional.ofNullable(instances.get(id)).map(Instance::snapshot);
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int status;
      String xml;
      if (!exchange.getRequestMethod().equals("POST")) {
        status = 405;
        xml = error("InvalidHttpRequest", "The emulator speaks POST only.");
      } else {
        Map<String, String> params = new TreeMap<>();
        parseForm(exchange.getRequestURI().getRawQuery(), params);
        parseForm(new String(body, StandardCharsets.UTF_8), params);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String accessKeyId = null;
        String region = "us-east-1";
        if (authorization != null) {
          Matcher m = CREDENTIAL.matcher(authorization);
          if (m.find()) {
            accessKeyId = m.group(1);
            region = m.group(2);
          }
        }
        String[] answer = answer(params, accessKeyId, region);
        status = Integer.parseInt(answer[0]);
        xml = answer[1];
      }
      byte[] out = xml.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
      exchange.sendResponseHeaders(status, out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private synchronized String[] answer(
      Map<String, String> params, String accessKeyId, String region) {
    String action = params.getOrDefault("Action", "");
    calls.add(new Call(action, Map.copyOf(params), accessKeyId, region));
    // Between two calls time passes: pending instances run, shutting-down ones are gone.
    for (Instance i : instances.values()) {
      if (i.state.equals("pending")) {
        i.state = "running";
      } else if (i.state.equals("shutting-down")) {
        i.state = "terminated";
      }
    }
    try {
      if (refuseAll) {
        throw new Ec2Error(
            401, "AuthFailure", "AWS was not able to validate the provided access credentials");
      }
      if (throttled > 0 && (throttledAction == null || throttledAction.equals(action))) {
        throttled--;
        throttledAnswers++;
        throw new Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.");
      }
      for (Fault fault : faults) {
        if (fault.action().equals(action)) {
          faults.remove(fault);
          throw new Ec2Error(fault.status(), fault.code(), fault.message());
        }
      }
      if (!API_VERSION.equals(params.get("Version"))) {
        throw new Ec2Error(
            400, "InvalidParameterValue", "The emulator speaks Version " + API_VERSION + " only.");
      }
      String xml =
          switch (action) {
            case "RunInstances" -> runInstances(params, region);
            case "DescribeInstances" -> describeInstances(params);
            case "TerminateInstances" -> terminateInstances(params);
            default ->
                throw new Ec2Error(
                    400,
                    "InvalidAction",
                    "The action " + action + " is not valid for this web service.");
          };
      return new String[] {"200", xml};
    } catch (Ec2Error e) {
      return new String[] {String.valueOf(e.status), error(e.code, e.getMessage())};
    }
  }

  // ---- actions ----

  private String runInstances(Map<String, String> p, String region) throws Ec2Error {
    int min = intParam(p, "MinCount");
    int max = intParam(p, "MaxCount");
    if (min < 1 || max < min) {
      throw new Ec2Error(400, "InvalidParameterValue", "MinCount and MaxCount are invalid.");
    }
    String token = p.get("ClientToken");
    if (token != null) {
      List<Instance> earlier =
          instances.values().stream().filter(i -> token.equals(i.clientToken)).toList();
      if (!earlier.isEmpty()) {
        return runResponse(earlier.get(0).reservationId, earlier);
      }
    }
    String templateId = p.get("LaunchTemplate.LaunchTemplateId");
    String templateName = p.get("LaunchTemplate.LaunchTemplateName");
    if (templateId == null && templateName == null) {
      throw new Ec2Error(
          400, "MissingParameter", "The request must contain the parameter LaunchTemplate.");
    }
    if (templateId != null && !templateTypesById.containsKey(templateId)) {
      throw new Ec2Error(
          400,
          "InvalidLaunchTemplateId.NotFound",
          "The specified launch template, with template ID " + templateId + ", does not exist.");
    }
    if (templateId == null) {
      templateId = templateIdsByName.get(templateName);
      if (templateId == null) {
        throw new Ec2Error(
            400,
            "InvalidLaunchTemplateName.NotFoundException",
            "The specified launch template, with template name "
                + templateName
                + ", does not exist.");
      }
    }
    String subnet = p.get("SubnetId");
    if (subnet != null && !subnet.startsWith("subnet-")) {
      throw new Ec2Error(
          400, "InvalidSubnetID.NotFound", "The subnet ID '" + subnet + "' does not exist");
    }
    long live = instances.values().stream().filter(i -> isLive(i.state)).count();
    if (live + max > instanceLimit) {
      throw new Ec2Error(
          400,
          "InstanceLimitExceeded",
          "You have requested more instances ("
              + (live + max)
              + ") than your current instance limit of "
              + instanceLimit
              + " allows for the specified instance type. Please visit"
              + " http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this"
              + " limit.");
    }
    String userData = "";
    if (p.containsKey("UserData")) {
      try {
        userData =
            new String(Base64.getDecoder().decode(p.get("UserData")), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new Ec2Error(400, "InvalidParameterValue", "Invalid BASE64 encoding of user data.");
      }
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (int s = 1; p.containsKey("TagSpecification." + s + ".ResourceType"); s++) {
      if (!p.get("TagSpecification." + s + ".ResourceType").equals("instance")) {
        continue;
      }
      for (int t = 1; p.containsKey("TagSpecification." + s + ".Tag." + t + ".Key"); t++) {
        tags.put(
            p.get("TagSpecification." + s + ".Tag." + t + ".Key"),
            p.getOrDefault("TagSpecification." + s + ".Tag." + t + ".Value", ""));
      }
    }
    String type = p.getOrDefault("InstanceType", templateTypesById.get(templateId));
    String version = p.getOrDefault("LaunchTemplate.Version", "$Default");
    String reservation = "r-" + hex(17);
    List<Instance> launched = new ArrayList<>();
    for (int n = 0; n < max; n++) {
      Instance i = newInstance(templateId, version, type, subnet, region);
      i.reservationId = reservation;
      i.tags.putAll(tags);
      i.userData = userData;
      i.clientToken = token;
      launched.add(i);
    }
    return runResponse(reservation, launched);
  }

  private String describeInstances(Map<String, String> p) throws Ec2Error {
    List<String> ids = indexed(p, "InstanceId.");
    Predicate<Instance> match = i -> ids.isEmpty() || ids.contains(i.id);
    for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
      String name = p.get("Filter." + f + ".Name");
      List<String> values = indexed(p, "Filter." + f + ".Value.");
      Predicate<Instance> filter;
      if (name.startsWith("tag:")) {
        String key = name.substring(4);
        filter = i -> values.contains(i.tags.get(key));
      } else if (name.equals("tag-key")) {
        filter = i -> values.stream().anyMatch(i.tags::containsKey);
      } else if (name.equals("instance-state-name")) {
        filter = i -> values.contains(i.state);
      } else {
        throw new Ec2Error(400, "InvalidParameterValue", "The filter '" + name + "' is invalid");
      }
      match = match.and(filter);
    }
    int limit = pageSize;
    if (p.containsKey("MaxResults")) {
      int maxResults = intParam(p, "MaxResults");
      if (maxResults < 5 || maxResults > 1000) {
        throw new Ec2Error(
            400,
            "InvalidParameterValue",
            "Value ( "
                + maxResults
                + " ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
      }
      limit = Math.min(limit, maxResults);
    }
    int from = 0;
    if (p.containsKey("NextToken")) {
      try {
        from =
            Integer.parseInt(
                new String(Base64.getDecoder().decode(p.get("NextToken")), StandardCharsets.UTF_8)
                    .substring("offset:".length()));
      } catch (RuntimeException e) {
        throw new Ec2Error(400, "InvalidParameterValue", "The NextToken is invalid.");
      }
    }
    // One instance a reservation, as the provider launches them; the reservation is the page unit.
    Map<String, List<Instance>> reservations = new LinkedHashMap<>();
    for (Instance i : instances.values()) {
      if (match.test(i)) {
        reservations.computeIfAbsent(i.reservationId, r -> new ArrayList<>()).add(i);
      }
    }
    List<List<Instance>> all = new ArrayList<>(reservations.values());
    int to = (int) Math.min(all.size(), (long) from + limit);
    StringBuilder xml = new StringBuilder();
    xml.append(header("DescribeInstancesResponse")).append("<reservationSet>");
    for (List<Instance> reservation : all.subList(Math.min(from, all.size()), to)) {
      xml.append("<item><reservationId>")
          .append(reservation.get(0).reservationId)
          .append("</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>");
      for (Instance i : reservation) {
        xml.append(item(i));
      }
      xml.append("</instancesSet></item>");
    }
    xml.append("</reservationSet>");
    if (to < all.size()) {
      xml.append("<nextToken>")
          .append(
              Base64.getEncoder().encodeToString(("offset:" + to).getBytes(StandardCharsets.UTF_8)))
          .append("</nextToken>");
    }
    xml.append("</DescribeInstancesResponse>");
    return xml.toString();
  }

  private String terminateInstances(Map<String, String> p) throws Ec2Error {
    List<String> ids = indexed(p, "InstanceId.");
    if (ids.isEmpty()) {
      throw new Ec2Error(
          400, "MissingParameter", "The request must contain the parameter InstanceId");
    }
    for (String id : ids) {
      if (!id.matches("i-[0-9a-f]{8,17}")) {
        throw new Ec2Error(400, "InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
      }
      if (!instances.containsKey(id)) {
        throw new Ec2Error(
            400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
      }
    }
    StringBuilder xml = new StringBuilder(header("TerminateInstancesResponse"));
    xml.append("<instancesSet>");
    for (String id : ids) {
      Instance i = instances.get(id);
      String previous = i.state;
      if (!previous.equals("terminated")) {
        i.state = "shutting-down";
      }
      xml.append("<item><instanceId>")
          .append(id)
          .append("</instanceId>")
          .append(state("currentState", i.state))
          .append(state("previousState", previous))
          .append("</item>");
    }
    xml.append("</instancesSet></TerminateInstancesResponse>");
    return xml.toString();
  }

  // ---- XML ----

  private String runResponse(String reservation, List<Instance> launched) {
    StringBuilder xml = new StringBuilder(header("RunInstancesResponse"));
    xml.append("<reservationId>")
        .append(reservation)
        .append("</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>");
    for (Instance i : launched) {
      xml.append(item(i));
    }
    xml.append("</instancesSet></RunInstancesResponse>");
    return xml.toString();
  }

  private static String item(Instance i) {
    StringBuilder xml = new StringBuilder("<item>");
    element(xml, "instanceId", i.id);
    element(xml, "imageId", "ami-0123456789abcdef0");
    xml.append(state("instanceState", i.state));
    element(xml, "privateDnsName", "ip-" + i.privateIp.replace('.', '-') + ".ec2.internal");
    xml.append("<dnsName/><reason/>");
    element(xml, "amiLaunchIndex", "0");
    xml.append("<productCodes/>");
    element(xml, "instanceType", i.instanceType);
    element(xml, "launchTime", TIME.format(i.launchTime));
    xml.append("<placement>");
    element(xml, "availabilityZone", i.zone);
    xml.append("<groupName/><tenancy>default</tenancy></placement>");
    xml.append("<monitoring><state>disabled</state></monitoring>");
    if (i.subnetId != null) {
      element(xml, "subnetId", i.subnetId);
      element(xml, "vpcId", "vpc-0123456789abcdef0");
    }
    element(xml, "privateIpAddress", i.privateIp);
    if (!i.tags.isEmpty()) {
      xml.append("<tagSet>");
      i.tags.forEach(
          (k, v) -> {
            xml.append("<item>");
            element(xml, "key", k);
            element(xml, "value", v);
            xml.append("</item>");
          });
      xml.append("</tagSet>");
    }
    return xml.append("</item>").toString();
  }

  private static String state(String element, String name) {
    return "<"
        + element
        + "><code>"
        + STATE_CODES.get(name)
        + "</code><name>"
        + name
        + "</name></"
        + element
        + ">";
  }

  private static String header(String root) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"
        + root
        + " xmlns=\""
        + NS
        + "\"><requestId>"
        + UUID.randomUUID()
        + "</requestId>";
  }

  private static String error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
        + escape(code)
        + "</Code><Message>"
        + escape(message)
        + "</Message></Error></Errors><RequestID>"
        + UUID.randomUUID()
        + "</RequestID></Response>";
  }

  private static void element(StringBuilder xml, String name, String value) {
    xml.append('<').append(name).append('>').append(escape(value)).append("</").append(name);
    xml.append('>');
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
  }

  // ---- helpers ----

  private Instance newInstance(
      String templateId, String version, String type, String subnet, String region) {
    Instance i = new Instance();
    i.id = "i-" + hex(17);
    i.reservationId = "r-" + hex(17);
    i.state = "pending";
    i.instanceType = type;
    i.launchTemplate = templateId;
    i.launchTemplateVersion = version;
    i.subnetId = subnet;
    i.zone = region + "a";
    i.privateIp = "10.0." + (nextIp / 250) + "." + (nextIp % 250 + 4);
    nextIp++;
    i.launchTime = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    instances.put(i.id, i);
    return i;
  }

  private static final Set<String> LIVE = Set.of("pending", "running", "stopping", "stopped");

  private static boolean isLive(String state) {
    return LIVE.contains(state);
  }

  private static List<String> indexed(Map<String, String> p, String prefix) {
    List<String> values = new ArrayList<>();
    for (int n = 1; p.containsKey(prefix + n); n++) {
      values.add(p.get(prefix + n));
    }
    return values;
  }

  private static int intParam(Map<String, String> p, String name) throws Ec2Error {
    String value = p.get(name);
    if (value == null) {
      throw new Ec2Error(
          400, "MissingParameter", "The request must contain the parameter " + name + ".");
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new Ec2Error(
          400, "InvalidParameterValue", "Invalid value '" + value + "' for " + name + ".");
    }
  }

  private static void parseForm(String form, Map<String, String> into) {
    if (form == null || form.isEmpty()) {
      return;
    }
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      into.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
  }

  private static String hex(int digits) {
    byte[] bytes = new byte[(digits + 1) / 2];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes).substring(0, digits);
  }
}
