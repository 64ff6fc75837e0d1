package io.drover.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.NodeAgent;
import io.drover.agent.config.AgentConfig;
import io.drover.cli.output.Json;
import io.drover.common.net.HostPort;
import io.drover.common.net.PortRange;
import io.drover.controller.Controller;
import io.drover.controller.config.ControllerConfig;
import io.drover.v1.ControlGrpc;
import io.drover.v1.Event;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListEndpointsRequest;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.ListServicesRequest;
import io.drover.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's JSON API and {@code drover ... --output json} print the same fields with the
 * same values: the CLI's rows, built from the Control API's messages, against the HTTP answers,
 * built from the domain, on one real controller with one real agent.
 */
class JsonApiAgreesWithCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Controller controller;
  private NodeAgent agent;
  private ManagedChannel channel;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    Path catalog = dir.resolve("catalog.yaml");
    // More memory than any node has: its instances stay PENDING, no container JVM is started.
    Files.writeString(
        catalog,
        """
        services:
          - name: big
            artifact: {path: big.jar}
            entry: example.Big
            replicas: {min: 1, max: 3, initial: 2}
            ports: [http, admin]
            resources: {memoryMb: 1048576}
        """);
    controller =
        Controller.start(
            ControllerConfig.defaults(
                    new HostPort("127.0.0.1", 0),
                    new HostPort("127.0.0.1", 0),
                    dir.resolve("controller"))
                .withCatalog(ControllerConfig.CatalogLocation.file(catalog, dir)));
    agent =
        NodeAgent.start(
            new AgentConfig(
                new HostPort("127.0.0.1", controller.grpcPort()),
                dir.resolve("agent"),
                "web-1",
                new PortRange(20000, 20999),
                new HostPort("127.0.0.1", 0),
                Optional.empty(),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                AgentConfig.Containers.defaults()));
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> get("/v1/instances").size() == 2 && get("/v1/nodes").size() == 1);
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (agent != null) {
      agent.close();
    }
    if (controller != null) {
      controller.close();
    }
  }

  private ControlGrpc.ControlBlockingStub control() {
    return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void servicesInstancesAndEventsAreTheSame() {
    agree(
        "/v1/services",
        () ->
            control()
                .listServices(ListServicesRequest.getDefaultInstance())
                .getServicesList()
                .stream()
                .map(ServicesCommand::row)
                .toList());
    agree(
        "/v1/instances",
        () ->
            control()
                .listInstances(ListInstancesRequest.getDefaultInstance())
                .getInstancesList()
                .stream()
                .map(InstancesCommand::row)
                .toList());
    agree(
        "/v1/events?tail=20",
        () -> {
          List<EventsCommand.EventView> events = new ArrayList<>();
          control()
              .watchEvents(WatchEventsRequest.newBuilder().setTail(20).build())
              .forEachRemaining((Event e) -> events.add(EventsCommand.view(e)));
          return events;
        });
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode fromCli =
                  JSON.readTree(
                      Json.pretty(
                          EndpointsCommand.view(
                              control()
                                  .listEndpoints(
                                      ListEndpointsRequest.newBuilder()
                                          .setService("big")
                                          .build()))));
              JsonNode fromApi = get("/v1/services/big/endpoints");
              assertThat(names(fromApi)).containsExactlyElementsOf(names(fromCli));
              assertThat(fromApi).isEqualTo(fromCli);
            });
    agree(
        "/v1/containers",
        () ->
            control()
                .listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList()
                .stream()
                .map(ContainersCommand::row)
                .toList());
  }

  @Test
  void nodesAreTheSameBesidesWhatEachSampleChanges() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode cli =
                  JSON.readTree(
                      Json.pretty(
                          control()
                              .listNodes(ListNodesRequest.getDefaultInstance())
                              .getNodesList()
                              .stream()
                              .map(NodeViews::row)
                              .toList()));
              JsonNode api = get("/v1/nodes");
              assertThat(names(api.get(0))).containsExactlyElementsOf(names(cli.get(0)));
              assertThat(withoutSampled(api)).isEqualTo(withoutSampled(cli));
            });
  }

  /** The two agree, once the controller stopped changing between the two readings. */
  private void agree(String path, Supplier<List<?>> cli) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode fromCli = JSON.readTree(Json.pretty(cli.get()));
              JsonNode fromApi = get(path);
              if (fromCli.size() > 0) {
                assertThat(names(fromApi.get(0))).containsExactlyElementsOf(names(fromCli.get(0)));
              }
              assertThat(fromApi).as(path).isEqualTo(fromCli);
            });
  }

  private static JsonNode withoutSampled(JsonNode nodes) {
    ArrayNode copy = (ArrayNode) nodes.deepCopy();
    copy.forEach(n -> ((ObjectNode) n).remove(List.of("cpuLoad", "memoryUsedBytes", "lastSeen")));
    return copy;
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
