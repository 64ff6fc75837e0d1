package io.drover.controller;

import io.drover.common.Version;
import io.drover.common.errors.UnavailableException;
import io.drover.common.http.HttpEndpoint;
import io.drover.common.http.HttpResponse;
import io.drover.controller.config.ControllerConfig;
import io.drover.controller.events.EventJournal;
import io.drover.controller.events.EventKind;
import io.drover.controller.grpc.GrpcServer;
import io.drover.controller.nodes.NodeRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The controller process: its state, its gRPC server and its HTTP endpoint. */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  private final EventJournal events;
  private final NodeRegistry nodes;
  private final GrpcServer grpc;
  private final HttpEndpoint http;

  private Controller(ControllerConfig config, Clock clock) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data dir " + config.dataDir(), e);
    }
    Instant startedAt = clock.instant();
    this.events = new EventJournal(config.eventsRetained(), clock);
    this.nodes = new NodeRegistry(events, clock);
    this.grpc = GrpcServer.start(config, nodes, events, startedAt);
    try {
      this.http =
          HttpEndpoint.start("controller", config.httpListen(), Map.of("/healthz", this::health));
    } catch (UnavailableException e) {
      grpc.close();
      throw e;
    }
    events.publish(
        EventKind.CONTROLLER_STARTED,
        "controller",
        "controller "
            + Version.current()
            + " started: gRPC on "
            + config.listen().withPort(grpc.port())
            + ", HTTP on "
            + config.httpListen().withPort(http.port()));
  }

  /** Starts serving; throws {@link UnavailableException} when a port cannot be bound. */
  public static Controller start(ControllerConfig config) {
    return new Controller(config, Clock.systemUTC());
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int httpPort() {
    return http.port();
  }

  public NodeRegistry nodes() {
    return nodes;
  }

  public EventJournal events() {
    return events;
  }

  private HttpResponse health() {
    return grpc.isServing()
        ? HttpResponse.json(200, "{\"status\":\"ok\"}\n")
        : HttpResponse.json(503, "{\"status\":\"stopping\"}\n");
  }

  @Override
  public void close() {
    log.info("controller stopping");
    grpc.close();
    http.close();
  }
}
