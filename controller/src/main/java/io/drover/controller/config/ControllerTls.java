package io.drover.controller.config;

import io.drover.common.config.ConfigException;
import io.drover.common.config.Settings;
import io.drover.common.net.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The controller's TLS settings, checked at start: with TLS on, the directory must hold the CA and
 * the server certificate; TLS off is allowed only on a loopback listen address.
 *
 * @param dir empty when TLS is off
 */
public record ControllerTls(
    Optional<Path> dir, Duration nodeCertLifetime, boolean plaintextOnAnyAddress) {

  public ControllerTls(Optional<Path> dir, Duration nodeCertLifetime) {
    this(dir, nodeCertLifetime, false);
  }

  /**
   * Plaintext on any address, for in-process benchmarks whose agents sit in network namespaces. No
   * setting or flag leads here: a controller started from the command line never gets it.
   */
  public static ControllerTls plaintextOnAnyAddressForBenchmarks() {
    return new ControllerTls(
        Optional.empty(), ControllerSettings.TLS_NODE_CERT_LIFETIME.defaultValue(), true);
  }

  public boolean enabled() {
    return dir.isPresent();
  }

  /** Plaintext, for dev mode and in-process tests; only valid on loopback. */
  public static ControllerTls off() {
    return new ControllerTls(
        Optional.empty(), ControllerSettings.TLS_NODE_CERT_LIFETIME.defaultValue());
  }

  public static ControllerTls on(Path dir, Duration nodeCertLifetime) {
    return new ControllerTls(Optional.of(dir), nodeCertLifetime);
  }

  public static ControllerTls from(Settings s) {
    String mode = s.get(ControllerSettings.TLS_MODE).trim().toLowerCase(Locale.ROOT);
    Duration lifetime = s.get(ControllerSettings.TLS_NODE_CERT_LIFETIME);
    switch (mode) {
      case "off":
        return new ControllerTls(Optional.empty(), lifetime);
      case "on":
        return new ControllerTls(Optional.of(s.get(ControllerSettings.TLS_DIR)), lifetime);
      default:
        throw new ConfigException(
            ControllerSettings.TLS_MODE.name() + " '" + mode + "' is not on or off");
    }
  }

  /**
   * Refuses what would leave the cluster open: TLS off on an address other machines reach, or TLS
   * on without its files.
   */
  public void check(HostPort listen) {
    if (dir.isEmpty()) {
      if (!plaintextOnAnyAddress && !loopback(listen.host())) {
        throw new ConfigException(
            "tls.mode is off but listen ("
                + listen
                + ") is not a loopback address: anyone who reaches it could run code on every"
                + " node. Run drover tls init and set tls.dir, or listen on 127.0.0.1");
      }
      return;
    }
    Path d = dir.get();
    for (String file : new String[] {"ca.crt", "ca.key", "controller.crt", "controller.key"}) {
      if (!Files.isReadable(d.resolve(file))) {
        throw new ConfigException(
            "tls.dir "
                + d
                + " has no readable "
                + file
                + "; create the cluster CA with drover tls init --dir "
                + d
                + " (or set tls.mode: off for a loopback-only controller)");
      }
    }
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
