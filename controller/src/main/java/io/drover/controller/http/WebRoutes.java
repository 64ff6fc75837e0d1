package io.drover.controller.http;

import io.drover.common.http.HttpGet;
import io.drover.common.http.HttpResponse;
import io.drover.controller.discovery.EndpointBook;
import io.drover.controller.events.EventJournal;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.scheduling.Scheduler;
import java.time.Instant;
import java.util.function.Function;

/**
 * What the controller's HTTP port serves besides its fixed routes ({@code /healthz}, ...): the
 * read-only JSON API under {@code /v1/} and the dashboard at {@code /}. Anything else is a 404 with
 * a JSON body.
 */
public final class WebRoutes implements Function<HttpGet, HttpResponse> {
  private final ReadApi api;
  private final DashboardFiles dashboard = new DashboardFiles();

  public WebRoutes(
      NodeRegistry nodes,
      Scheduler scheduler,
      EventJournal events,
      Instant startedAt,
      EndpointBook endpoints) {
    this.api = new ReadApi(nodes, scheduler, events, startedAt, endpoints);
  }

  @Override
  public HttpResponse apply(HttpGet request) {
    String path = request.path();
    if (path.equals("/v1") || path.startsWith("/v1/")) {
      return api.answer(request);
    }
    return dashboard
        .get(path)
        .orElseGet(
            () ->
                ReadApi.error(
                    404,
                    "no such path '"
                        + path
                        + "'; the dashboard is at / and the JSON API under /v1/ ("
                        + String.join(", ", ReadApi.PATHS)
                        + ")"));
  }
}
