package io.drover.agent.config;

import io.drover.common.config.ConfigException;
import io.drover.common.config.Settings;
import io.drover.common.security.Fingerprints;
import java.util.Locale;
import java.util.Optional;

/**
 * How the agent proves itself to the controller and checks it.
 *
 * @param enabled false for plaintext (dev mode, loopback)
 * @param joinToken traded for a certificate when the data dir holds none
 * @param caFingerprint the pinned cluster CA; required with a join token
 * @param serverName the name the controller's certificate must carry, when it is not the host of
 *     the controller address (an agent that reaches the controller through an address its
 *     certificate does not name)
 */
public record AgentTls(
    boolean enabled,
    Optional<String> joinToken,
    Optional<String> caFingerprint,
    Optional<String> serverName) {

  public static AgentTls off() {
    return new AgentTls(false, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public static AgentTls on(Optional<String> joinToken, Optional<String> caFingerprint) {
    return new AgentTls(
        true, joinToken, caFingerprint.map(Fingerprints::normalize), Optional.empty());
  }

  public static AgentTls from(Settings s) {
    String mode = s.get(AgentSettings.TLS_MODE).trim().toLowerCase(Locale.ROOT);
    if (mode.equals("off")) {
      return off();
    }
    if (!mode.equals("on")) {
      throw new ConfigException(AgentSettings.TLS_MODE.name() + " '" + mode + "' is not on or off");
    }
    Optional<String> fingerprint =
        s.find(AgentSettings.CA_FINGERPRINT).map(Fingerprints::normalize);
    fingerprint.ifPresent(
        f -> {
          if (!f.matches("[0-9a-f]{64}")) {
            throw new ConfigException(
                AgentSettings.CA_FINGERPRINT.name()
                    + " is not a SHA-256 in hex (64 hex digits, colons allowed)");
          }
        });
    Optional<String> serverName =
        s.find(AgentSettings.TLS_SERVER_NAME).map(String::trim).filter(n -> !n.isEmpty());
    return new AgentTls(
        true, s.find(AgentSettings.JOIN_TOKEN).map(String::trim), fingerprint, serverName);
  }
}
