package io.drover.controller.providers.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace joined to the host by a veth pair with a /30 of its own, so that a
 * process in it has its own address and port space and its link can be cut. Needs root and the
 * {@code ip} tool (iproute2).
 */
public final class NetworkNamespace implements AutoCloseable {
  private final String name;
  private final String hostInterface;
  private final String hostAddress;
  private final String address;

  private NetworkNamespace(String name, String hostInterface, String hostAddress, String address) {
    this.name = name;
    this.hostInterface = hostInterface;
    this.hostAddress = hostAddress;
    this.address = address;
  }

  /** Why namespaces cannot be made here, or empty when they can: this needs root and iproute2. */
  public static java.util.Optional<String> unavailableBecause() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return java.util.Optional.of(
          "network namespaces need root (running as " + System.getProperty("user.name") + ")");
    }
    try {
      run(List.of("ip", "netns", "list"));
      return java.util.Optional.empty();
    } catch (RuntimeException e) {
      return java.util.Optional.of("the ip tool (iproute2) does not work here: " + e.getMessage());
    }
  }

  /**
   * Creates namespace {@code drover-TAG} on the /30 that starts at {@code network}: the host side
   * of the link is its first address and the namespace side its second. A leftover namespace of the
   * same tag (from a process that died) is removed first.
   *
   * @param tag short and unique on this machine (interface names have at most 15 characters)
   * @param network the /30's first address, such as {@code 10.213.7.0}; unique among namespaces
   *     alive at once
   */
  public static NetworkNamespace create(String tag, String network) {
    String name = "drover-" + tag;
    String hostSide = "dvh" + tag;
    String nsSide = "dvn" + tag;
    if (hostSide.length() > 15) {
      throw new IllegalArgumentException("tag '" + tag + "' is too long for an interface name");
    }
    String[] octets = network.split("\\.");
    int last = octets.length == 4 ? Integer.parseInt(octets[3]) : -1;
    if (last < 0 || last % 4 != 0) {
      throw new IllegalArgumentException(network + " does not start a /30");
    }
    String prefix = octets[0] + "." + octets[1] + "." + octets[2] + ".";
    String host = prefix + (last + 1);
    String inside = prefix + (last + 2);
    NetworkNamespace ns = new NetworkNamespace(name, hostSide, host, inside);
    ns.close();
    try {
      run(List.of("ip", "netns", "add", name));
      run(List.of("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide));
      run(List.of("ip", "link", "set", nsSide, "netns", name));
      run(List.of("ip", "addr", "add", host + "/30", "dev", hostSide));
      run(List.of("ip", "link", "set", hostSide, "up"));
      run(ns.exec(List.of("ip", "addr", "add", inside + "/30", "dev", nsSide)));
      run(ns.exec(List.of("ip", "link", "set", nsSide, "up")));
      run(ns.exec(List.of("ip", "link", "set", "lo", "up")));
      run(ns.exec(List.of("ip", "route", "add", "default", "via", host)));
      return ns;
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /** The host's address on the link: how a process inside reaches the host. */
  public String hostAddress() {
    return hostAddress;
  }

  /** The namespace's address on the link: how the host reaches a process inside. */
  public String address() {
    return address;
  }

  /** The command, run inside the namespace ({@code ip netns exec} execs it in place). */
  public List<String> exec(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return full;
  }

  /** Cuts the link: nothing passes either way until {@link #restore()}. */
  public void cut() {
    run(List.of("ip", "link", "set", hostInterface, "down"));
  }

  public void restore() {
    run(List.of("ip", "link", "set", hostInterface, "up"));
  }

  /** Removes the namespace of {@code tag} if it exists. */
  public static void delete(String tag) {
    tryRun(List.of("ip", "netns", "del", "drover-" + tag));
    tryRun(List.of("ip", "link", "del", "dvh" + tag));
  }

  @Override
  public void close() {
    tryRun(List.of("ip", "netns", "del", name));
    tryRun(List.of("ip", "link", "del", hostInterface));
  }

  private static void tryRun(List<String> command) {
    try {
      run(command);
    } catch (RuntimeException ignored) {
      // Already gone.
    }
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 10 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }
}
