package io.drover.controller.logs;

import io.drover.common.errors.FailedPreconditionException;
import io.drover.common.errors.InvalidArgumentException;
import io.drover.common.errors.NotFoundException;
import io.drover.common.errors.UnavailableException;
import io.drover.controller.instances.InstanceView;
import io.drover.controller.nodes.AgentSession;
import io.drover.controller.nodes.Node;
import io.drover.controller.nodes.NodeRegistry;
import io.drover.controller.scheduling.Scheduler;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Opens an instance's log where it is: finds the node the instance runs on and asks that node's
 * agent, over its stream, to read the log for the reader.
 */
public final class LogRouter {
  /** The most lines a reader may ask for at once. */
  public static final int MAX_TAIL_LINES = 100_000;

  private final Scheduler scheduler;
  private final NodeRegistry nodes;

  public LogRouter(Scheduler scheduler, NodeRegistry nodes) {
    this.scheduler = scheduler;
    this.nodes = nodes;
  }

  /**
   * Opens the log; the future fails with a domain exception when the instance is unknown
   * (NotFound), not placed (FailedPrecondition) or on a node that is not connected (Unavailable).
   * Errors after that go to the sink.
   */
  public CompletableFuture<LogSubscription> open(LogRequest request, LogSink sink) {
    if (request.instanceId().isBlank()) {
      return CompletableFuture.failedFuture(
          new InvalidArgumentException("instance_id", "give an instance id"));
    }
    if (request.tailLines() < 0 || request.tailLines() > MAX_TAIL_LINES) {
      return CompletableFuture.failedFuture(
          new InvalidArgumentException(
              "tail_lines", "between 0 and " + MAX_TAIL_LINES + ", not " + request.tailLines()));
    }
    return scheduler
        .instances("", "")
        .thenApply(
            all ->
                all.stream()
                    .filter(i -> i.id().equals(request.instanceId()))
                    .findFirst()
                    .orElseThrow(() -> new NotFoundException("instance", request.instanceId())))
        .thenApply(instance -> openOn(instance, request, sink));
  }

  private LogSubscription openOn(InstanceView instance, LogRequest request, LogSink sink) {
    if (instance.nodeId().isEmpty()) {
      throw new FailedPreconditionException(
          "instance "
              + instance.id()
              + " is "
              + instance.state()
              + " and not placed on a node yet, so it has no log");
    }
    Optional<Node> node = nodes.get(instance.nodeId());
    String name = node.map(Node::name).orElse(instance.nodeId());
    AgentSession session =
        nodes
            .session(instance.nodeId())
            .orElseThrow(
                () ->
                    new UnavailableException(
                        "node "
                            + name
                            + " of instance "
                            + instance.id()
                            + " is "
                            + node.map(n -> n.state().name()).orElse("unknown")
                            + ": its agent is not connected, so its log cannot be read now"));
    return session
        .openLog(request, instance.containerId(), sink)
        .orElseThrow(
            () -> new UnavailableException("node " + name + ": its agent is still connecting"));
  }
}
