package io.drover.cli.client;

import io.drover.cli.output.Units;
import io.drover.v1.ContainerInfo;
import io.drover.v1.Instance;
import io.drover.v1.ListContainersRequest;
import io.drover.v1.ListInstancesRequest;
import io.drover.v1.ListNodesRequest;
import io.drover.v1.Node;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What {@code drover top} shows: one snapshot of the nodes, the instances and the containers they
 * run in, as lines of text or as JSON rows. Pure: fetching is one call per listing, drawing needs
 * no terminal.
 */
public final class TopView {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final int BAR = 10;

  /** The columns of numbers, aligned right. */
  private static final Set<Integer> NODE_NUMBERS = Set.of(3, 6, 7);

  private static final Set<Integer> INSTANCE_NUMBERS = Set.of(5, 6, 7, 8);

  /** The metric whose one-minute rate is the instance's request rate, when its service has it. */
  static final String REQUEST_RATE = "requests.rate1m";

  private TopView() {}

  /** One reading of the cluster. */
  public record Snapshot(
      Instant time, List<Node> nodes, List<Instance> instances, List<ContainerInfo> containers) {}

  /** A node in `drover top --once --output json`. */
  public record TopNode(
      String id,
      String name,
      String state,
      int cores,
      double cpuLoad,
      long memoryUsedBytes,
      long memoryBytes,
      int containers,
      int instances) {}

  /** An instance in `drover top --once --output json`; requestRate is null when not reported. */
  public record TopInstance(
      String id,
      String service,
      String state,
      String node,
      String nodeName,
      List<InstancesCommand.PortView> ports,
      double cpuPercent,
      long rssBytes,
      Double requestRate,
      int restarts) {}

  /** `drover top --once --output json`. */
  public record TopJson(String time, List<TopNode> nodes, List<TopInstance> instances) {}

  /** Three calls, each with the client's deadline. */
  static Snapshot fetch(ControlClient client) {
    List<Node> nodes =
        client.unary().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
    List<Instance> instances =
        client.unary().listInstances(ListInstancesRequest.getDefaultInstance()).getInstancesList();
    List<ContainerInfo> containers =
        client
            .unary()
            .listContainers(ListContainersRequest.getDefaultInstance())
            .getContainersList();
    return new Snapshot(Instant.now(), nodes, instances, containers);
  }

  /**
   * The request rate of a container: {@value #REQUEST_RATE} when its service reports it, else the
   * one {@code .rate1m} metric it reports; empty when it has none or several.
   */
  static Optional<Double> requestRate(Map<String, Double> metrics) {
    Double rate = metrics.get(REQUEST_RATE);
    if (rate != null) {
      return Optional.of(rate);
    }
    List<Double> rates =
        metrics.entrySet().stream()
            .filter(e -> e.getKey().endsWith(".rate1m"))
            .map(Map.Entry::getValue)
            .toList();
    return rates.size() == 1 ? Optional.of(rates.get(0)) : Optional.empty();
  }

  static TopJson json(Snapshot s) {
    Map<String, ContainerInfo> byContainer = byContainer(s);
    return new TopJson(
        s.time().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(),
        s.nodes().stream()
            .map(
                n ->
                    new TopNode(
                        n.getId(),
                        n.getName(),
                        NodeViews.state(n.getState()),
                        n.getInventory().getLogicalCores(),
                        n.getTelemetry().getCpuLoad(),
                        NodeViews.memoryUsed(n),
                        n.getInventory().getMemoryBytes(),
                        count(s.containers(), c -> c.getNodeId().equals(n.getId())),
                        count(s.instances(), i -> i.getNode().equals(n.getId()))))
            .toList(),
        sorted(s, byContainer).stream()
            .map(
                i -> {
                  Optional<ContainerInfo> c =
                      Optional.ofNullable(byContainer.get(i.getContainerId()));
                  return new TopInstance(
                      i.getId(),
                      i.getService(),
                      state(i),
                      i.getNode(),
                      i.getNodeName(),
                      i.getPortsList().stream()
                          .map(p -> new InstancesCommand.PortView(p.getName(), p.getPort()))
                          .toList(),
                      c.map(x -> x.getMetrics().getCpuPercent()).orElse(0.0),
                      c.map(x -> x.getMetrics().getRssBytes()).orElse(0L),
                      c.flatMap(x -> requestRate(x.getMetrics().getServiceMetricsMap()))
                          .orElse(null),
                      i.getRestarts());
                })
            .toList());
  }

  /**
   * The screen: a title, the nodes, the instances (busiest first), each line cut to {@code width}
   * and the whole to {@code height} lines; 0 means no limit.
   */
  static List<String> render(Snapshot s, String controller, String hint, int width, int height) {
    Map<String, ContainerInfo> byContainer = byContainer(s);
    List<String> lines = new ArrayList<>();
    lines.add(title(s, controller, hint));
    lines.add("");

    List<List<String>> nodeRows = new ArrayList<>();
    nodeRows.add(List.of("NODE", "STATE", "CPU", "", "MEMORY", "", "CONTAINERS", "INSTANCES"));
    for (Node n : s.nodes()) {
      boolean measured = n.hasTelemetry();
      double cpu = n.getTelemetry().getCpuLoad();
      long used = NodeViews.memoryUsed(n);
      long total = n.getInventory().getMemoryBytes();
      nodeRows.add(
          List.of(
              n.getName(),
              NodeViews.state(n.getState()),
              measured ? bar(cpu) : "",
              measured ? Units.percent(cpu) : "-",
              measured ? bar(total == 0 ? 0 : (double) used / total) : "",
              measured ? Units.bytes(used) + " / " + Units.bytes(total) : "-",
              String.valueOf(count(s.containers(), c -> c.getNodeId().equals(n.getId()))),
              String.valueOf(count(s.instances(), i -> i.getNode().equals(n.getId())))));
    }
    if (s.nodes().isEmpty()) {
      lines.add("No nodes yet.");
    } else {
      lines.addAll(columns(nodeRows, NODE_NUMBERS));
    }
    lines.add("");

    List<Instance> instances = sorted(s, byContainer);
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "INSTANCE", "SERVICE", "STATE", "NODE", "PORTS", "CPU", "RSS", "REQ/S", "RESTARTS"));
    for (Instance i : instances) {
      Optional<ContainerInfo> c = Optional.ofNullable(byContainer.get(i.getContainerId()));
      rows.add(
          List.of(
              i.getId(),
              i.getService(),
              state(i),
              i.getNodeName().isEmpty() ? "-" : i.getNodeName(),
              i.getPortsList().stream()
                  .map(p -> p.getName() + "=" + p.getPort())
                  .collect(Collectors.joining(",")),
              c.map(x -> String.format(Locale.ROOT, "%.1f%%", x.getMetrics().getCpuPercent()))
                  .orElse("-"),
              c.filter(x -> x.getMetrics().getRssBytes() > 0)
                  .map(x -> Units.bytes(x.getMetrics().getRssBytes()))
                  .orElse("-"),
              c.flatMap(x -> requestRate(x.getMetrics().getServiceMetricsMap()))
                  .map(r -> String.format(Locale.ROOT, "%.1f", r))
                  .orElse("-"),
              String.valueOf(i.getRestarts())));
    }
    if (instances.isEmpty()) {
      lines.add("No instances.");
    } else {
      List<String> table = columns(rows, INSTANCE_NUMBERS);
      int room = height <= 0 ? Integer.MAX_VALUE : height - lines.size();
      if (table.size() > room && room >= 2) {
        int shown = room - 2;
        lines.addAll(table.subList(0, shown + 1));
        lines.add("… and " + (table.size() - 1 - shown) + " more instances");
      } else {
        lines.addAll(table);
      }
    }
    if (height > 0 && lines.size() > height) {
      lines = new ArrayList<>(lines.subList(0, height));
    }
    if (width > 0) {
      lines.replaceAll(line -> line.length() > width ? line.substring(0, width) : line);
    }
    return lines;
  }

  private static String title(Snapshot s, String controller, String hint) {
    Map<String, Long> nodeStates =
        s.nodes().stream()
            .collect(
                Collectors.groupingBy(
                    n -> NodeViews.state(n.getState()), TreeMap::new, Collectors.counting()));
    Map<String, Long> instanceStates =
        s.instances().stream()
            .collect(Collectors.groupingBy(TopView::state, TreeMap::new, Collectors.counting()));
    return "drover top  "
        + controller
        + "  "
        + CLOCK.format(s.time())
        + "  nodes: "
        + s.nodes().size()
        + counts(nodeStates)
        + "  instances: "
        + s.instances().size()
        + counts(instanceStates)
        + (hint.isEmpty() ? "" : "  " + hint);
  }

  private static String counts(Map<String, Long> byState) {
    if (byState.isEmpty()) {
      return "";
    }
    return byState.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", ", " (", ")"));
  }

  /** The busiest first, then by service and id, so that the list reads like top's. */
  private static List<Instance> sorted(Snapshot s, Map<String, ContainerInfo> byContainer) {
    Comparator<Instance> byCpu =
        Comparator.comparingDouble(
            i -> {
              ContainerInfo c = byContainer.get(i.getContainerId());
              return c == null ? 0 : -c.getMetrics().getCpuPercent();
            });
    return s.instances().stream()
        .sorted(byCpu.thenComparing(Instance::getService).thenComparing(TopView::naturalId))
        .toList();
  }

  /** hello-2 before hello-10. */
  private static String naturalId(Instance i) {
    return i.getId().replaceAll("(\\d+)", "0000000000$1").replaceAll("0*(\\d{10})", "$1");
  }

  private static Map<String, ContainerInfo> byContainer(Snapshot s) {
    Map<String, ContainerInfo> map = new HashMap<>();
    for (ContainerInfo c : s.containers()) {
      map.put(c.getContainer().getContainerId(), c);
    }
    return map;
  }

  static String state(Instance i) {
    return i.getState().name().replace("INSTANCE_STATE_", "");
  }

  private static <T> int count(List<T> items, Predicate<T> matches) {
    return (int) items.stream().filter(matches).count();
  }

  /** {@code [##### ]} for a share from 0 to 1. */
  static String bar(double share) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, share)) * BAR);
    return "[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "]";
  }

  /** Columns as wide as their widest cell; the listed ones aligned right. */
  private static List<String> columns(List<List<String>> rows, Set<Integer> right) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] == 0) {
          continue;
        }
        if (line.length() > 0) {
          line.append("  ");
        }
        String cell = row.get(i);
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(right.contains(i) ? pad + cell : cell + pad);
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }
}
