package io.drover.controller.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.common.Version;
import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.UnavailableException;
import io.drover.common.http.HttpGet;
import io.drover.common.http.HttpResponse;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.nodes.NodeState;
import io.drover.controller.scheduling.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only JSON API on the controller's HTTP port: {@code GET /v1/cluster}, {@code /v1/nodes},
 * {@code /v1/services}, {@code /v1/instances}, {@code /v1/containers} and {@code /v1/events?tail=N}
 * and {@code /v1/services/NAME/endpoints}, with the fields of {@code drover ... --output json}. It
 * reads the same domain objects as the Control API and changes nothing. Errors are JSON objects:
 * {@code {"status": 400, "error": "tail: ..."}}.
 */
final class ReadApi {
  private static final Logger log = LoggerFactory.getLogger(ReadApi.class);

  static final int DEFAULT_TAIL = 50;
  static final int MAX_TAIL = 100_000;

  /** How long a request waits for the scheduler's thread before it answers 503. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

  static final List<String> PATHS =
      List.of(
          "/v1/cluster",
          "/v1/nodes",
          "/v1/services",
          "/v1/instances",
          "/v1/containers",
          "/v1/events",
          "/v1/services/NAME/endpoints");

  private static final String SERVICES_PREFIX = "/v1/services/";
  private static final String ENDPOINTS_SUFFIX = "/endpoints";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeRegistry nodes;
  private final Scheduler scheduler;
  private final EventJournal events;
  private final Instant startedAt;
  private final EndpointBook endpoints;

  ReadApi(
      NodeRegistry nodes,
      Scheduler scheduler,
      EventJournal events,
      Instant startedAt,
      EndpointBook endpoints) {
    this.nodes = nodes;
    this.endpoints = endpoints;
    this.scheduler = scheduler;
    this.events = events;
    this.startedAt = startedAt;
  }

  HttpResponse answer(HttpGet request) {
    if (!PATHS.contains(request.path()) && endpointsOf(request.path()).isEmpty()) {
      return error(
          404,
          "no such path '"
              + request.path()
              + "'; the JSON API has "
              + String.join(", ", PATHS)
              + " and the dashboard is at /");
    }
    try {
      return ok(read(request));
    } catch (InvalidArgumentException e) {
      return error(400, e.getMessage());
    } catch (NotFoundException e) {
      return error(404, e.getMessage());
    } catch (FailedPreconditionException e) {
      return error(409, e.getMessage());
    } catch (UnavailableException e) {
      return error(503, e.getMessage());
    } catch (RuntimeException e) {
      String reference = UUID.randomUUID().toString().substring(0, 8);
      log.error("HTTP {} failed, reference {}", request.path(), reference, e);
      return error(500, "internal error; see the controller's log, reference " + reference);
    }
  }

  private Object read(HttpGet request) {
    String path = request.path();
    Optional<String> service = endpointsOf(path);
    if (service.isPresent()) {
      only(request);
      return JsonRows.endpoints(endpoints.current(service.get()));
    }
    switch (path) {
      case "/v1/cluster" -> {
        only(request);
        return cluster();
      }
      case "/v1/nodes" -> {
        only(request);
        return nodes.list().stream().map(JsonRows::node).toList();
      }
      case "/v1/services" -> {
        only(request);
        return await(scheduler.services()).stream().map(JsonRows::service).toList();
      }
      case "/v1/instances" -> {
        only(request, "service", "node");
        String nodeId = nodeFilter(request);
        return await(scheduler.instances(request.param("service").orElse(""), nodeId)).stream()
            .map(i -> JsonRows.instance(i, nodes.get(i.nodeId())))
            .toList();
      }
      case "/v1/containers" -> {
        only(request, "node");
        return await(scheduler.containers(nodeFilter(request))).stream()
            .map(e -> JsonRows.container(e.getKey(), e.getValue(), nodes.get(e.getKey().nodeId())))
            .toList();
      }
      case "/v1/events" -> {
        only(request, "tail");
        return events.tail(tail(request)).stream().map(JsonRows::event).toList();
      }
      default -> throw new IllegalStateException("no reader for " + path);
    }
  }

  private JsonRows.ClusterRow cluster() {
    List<Node> all = nodes.list();
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (NodeState state : NodeState.values()) {
      byState.put(state.name(), (int) all.stream().filter(n -> n.state() == state).count());
    }
    List<Node> ready = all.stream().filter(n -> n.state() == NodeState.READY).toList();
    return new JsonRows.ClusterRow(
        Version.current(),
        JsonRows.time(startedAt),
        all.size(),
        byState,
        ready.stream().mapToInt(n -> n.inventory().logicalCores()).sum(),
        ready.stream().mapToLong(n -> n.inventory().memoryBytes()).sum(),
        // What the agents report now; a node's own count is the one of its hello.
        await(scheduler.containers("")).size(),
        (int) await(scheduler.instances("", "")).stream().filter(i -> i.state().isLive()).count(),
        await(scheduler.services()).size());
  }

  /** The service of a {@code /v1/services/NAME/endpoints} path. */
  static Optional<String> endpointsOf(String path) {
    if (!path.startsWith(SERVICES_PREFIX) || !path.endsWith(ENDPOINTS_SUFFIX)) {
      return Optional.empty();
    }
    String name =
        path.substring(SERVICES_PREFIX.length(), path.length() - ENDPOINTS_SUFFIX.length());
    return name.isEmpty() || name.contains("/") ? Optional.empty() : Optional.of(name);
  }

  /** The id of the node named by {@code ?node=}, empty for all. */
  private String nodeFilter(HttpGet request) {
    String node = request.param("node").orElse("");
    return node.isEmpty() ? "" : nodes.find(node).id();
  }

  private static int tail(HttpGet request) {
    String value = request.param("tail").orElse(String.valueOf(DEFAULT_TAIL));
    try {
      int tail = Integer.parseInt(value.trim());
      if (tail >= 0 && tail <= MAX_TAIL) {
        return tail;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new InvalidArgumentException(
        "tail", "give a whole number from 0 to " + MAX_TAIL + ", not '" + value + "'");
  }

  /** Refuses parameters the path does not know, rather than ignoring a typo. */
  private static void only(HttpGet request, String... known) {
    Set<String> allowed = Set.of(known);
    for (String name : request.query().keySet()) {
      if (!allowed.contains(name)) {
        throw new InvalidArgumentException(
            name,
            "unknown parameter of "
                + request.path()
                + (known.length == 0
                    ? ", which takes none"
                    : "; it takes " + String.join(", ", known)));
      }
    }
  }

  private static <T> T await(CompletableFuture<T> answer) {
    try {
      return answer.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new UnavailableException(
          "the scheduler did not answer within " + ANSWER_WITHIN.toSeconds() + " s; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("the controller is stopping");
    }
  }

  private static HttpResponse ok(Object body) {
    return json(200, body);
  }

  static HttpResponse error(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("error", message);
    return json(status, body);
  }

  private static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.json(status, JSON.writeValueAsString(body) + "\n")
          .withHeader("Cache-Control", "no-store");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON for " + body.getClass(), e);
    }
  }
}
