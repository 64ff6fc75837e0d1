package io.drover.controller.access;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one table of who may call what, by full gRPC method name ({@code
 * drover.v1.Control/ScaleService}). A method that is not in it is refused (fail closed): adding an
 * RPC means adding its row here.
 */
public final class MethodRoles {
  /** Who a method is for. */
  public enum Caller {
    /** Anyone, without credentials: health checks. */
    ANYONE,
    /**
     * Agents, not admin clients: their stream is guarded by the agent join (join token or client
     * certificate), not by roles.
     */
    AGENT,
    /** An identity with at least {@link Rule#role()}. */
    ROLE
  }

  /**
   * @param mutating whether a call changes the cluster; each one leaves an audit event
   * @param nodes whether a node certificate may make it too: an agent relays its containers'
   *     endpoint watches, and may read nothing else of the admin API
   */
  public record Rule(Caller caller, Role role, boolean mutating, boolean nodes) {
    public Rule(Caller caller, Role role, boolean mutating) {
      this(caller, role, mutating, false);
    }
  }

  private static final Map<String, Rule> TABLE = new TreeMap<>();

  static {
    read("drover.v1.Control/GetCluster");
    read("drover.v1.Control/ListNodes");
    read("drover.v1.Control/GetNode");
    read("drover.v1.Control/WatchEvents");
    read("drover.v1.Control/ListServices");
    read("drover.v1.Control/ListInstances");
    read("drover.v1.Control/ListContainers");
    read("drover.v1.Control/StreamLogs");
    readByNodesToo("drover.v1.Control/ListEndpoints");
    readByNodesToo("drover.v1.Control/WatchEndpoints");
    change("drover.v1.Control/ApplyCatalog", Role.OPERATOR);
    change("drover.v1.Control/ScaleService", Role.OPERATOR);
    change("drover.v1.Control/CordonNode", Role.OPERATOR);
    change("drover.v1.Control/DrainNode", Role.OPERATOR);
    change("drover.v1.Artifacts/Push", Role.OPERATOR);
    change("drover.v1.Access/CreateToken", Role.ADMIN);
    change("drover.v1.Join/CreateJoinToken", Role.ADMIN);
    change("drover.v1.Join/RemoveNode", Role.ADMIN);
    // Agent-facing: guarded by the node certificate (mutual TLS), not by roles.
    TABLE.put("drover.v1.AgentGateway/Connect", new Rule(Caller.AGENT, null, false));
    TABLE.put("drover.v1.Artifacts/Fetch", new Rule(Caller.AGENT, null, false));
    TABLE.put("drover.v1.Join/Renew", new Rule(Caller.AGENT, null, false));
    // A new agent has no certificate yet: the CA is public, and a join needs a join token.
    TABLE.put("drover.v1.Join/GetCa", new Rule(Caller.ANYONE, null, false));
    TABLE.put("drover.v1.Join/Bootstrap", new Rule(Caller.ANYONE, null, false));
    // Health is for load balancers and probes; reflection only describes the API.
    TABLE.put("grpc.health.v1.Health/Check", new Rule(Caller.ANYONE, null, false));
    TABLE.put("grpc.health.v1.Health/Watch", new Rule(Caller.ANYONE, null, false));
    TABLE.put(
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        new Rule(Caller.ROLE, Role.VIEWER, false));
  }

  private MethodRoles() {}

  private static void read(String method) {
    TABLE.put(method, new Rule(Caller.ROLE, Role.VIEWER, false));
  }

  private static void readByNodesToo(String method) {
    TABLE.put(method, new Rule(Caller.ROLE, Role.VIEWER, false, true));
  }

  private static void change(String method, Role role) {
    TABLE.put(method, new Rule(Caller.ROLE, role, true));
  }

  /** The rule of the method; empty for one not in the table, which nobody may call. */
  public static Optional<Rule> of(String fullMethodName) {
    return Optional.ofNullable(TABLE.get(fullMethodName));
  }

  /** Every row, for docs and tests. */
  public static Map<String, Rule> all() {
    return java.util.Collections.unmodifiableMap(TABLE);
  }
}
