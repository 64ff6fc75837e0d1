package io.drover.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new server's agent needs to join: the one place where a cloud provider learns the join
 * token and the controller's CA fingerprint, and turns them into the agent's environment. The token
 * of the {@link ProvisionRequest}, when the controller mints one, wins over the configured {@code
 * joinToken} or {@code joinTokenFile}.
 *
 * @param token the configured join token; empty for none
 * @param caFingerprint SHA-256 of the controller's CA certificate in hex; empty for none
 */
public record AgentJoin(String token, String caFingerprint) {
  /** The settings every cloud provider takes for joining, under its own prefix. */
  public static final Set<String> KEYS = Set.of("joinToken", "joinTokenFile", "caFingerprint");

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-fA-F]{64}");

  /**
   * Reads {@code joinToken}, {@code joinTokenFile} and {@code caFingerprint}; every wrong one is
   * added to {@code errors} naming its full key.
   */
  public static AgentJoin read(Map<String, String> settings, String prefix, List<String> errors) {
    Optional<String> token = value(settings, "joinToken");
    Optional<String> file = value(settings, "joinTokenFile");
    String resolved = token.orElse("");
    if (token.isPresent() && file.isPresent()) {
      errors.add(prefix + "joinTokenFile: set only one of joinToken and joinTokenFile");
    } else if (file.isPresent()) {
      try {
        resolved = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).trim();
        if (resolved.isEmpty()) {
          errors.add(prefix + "joinTokenFile: " + file.get() + " is empty");
        }
      } catch (IOException | RuntimeException e) {
        errors.add(prefix + "joinTokenFile: cannot read " + file.get() + ": " + e.getMessage());
      }
    }
    if (resolved.contains("\n") || resolved.contains("'")) {
      errors.add(prefix + (file.isPresent() ? "joinTokenFile" : "joinToken") + ": not a token");
    }
    String fingerprint = value(settings, "caFingerprint").orElse("");
    if (!fingerprint.isEmpty() && !FINGERPRINT.matcher(fingerprint.replace(":", "")).matches()) {
      errors.add(prefix + "caFingerprint: '" + fingerprint + "' is not a SHA-256 in hex");
    }
    return new AgentJoin(resolved, fingerprint.replace(":", "").toLowerCase(java.util.Locale.ROOT));
  }

  private static Optional<String> value(Map<String, String> settings, String key) {
    String v = settings.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /** The request's token when the controller gave one, else the configured one. */
  public String tokenFor(ProvisionRequest request) {
    return request.joinToken().isEmpty() ? token : request.joinToken();
  }

  /** The CA fingerprint the controller gave with its token, else the configured one. */
  public String caFingerprintFor(ProvisionRequest request) {
    return request.caFingerprint().isEmpty() ? caFingerprint : request.caFingerprint();
  }

  /**
   * The agent's environment ({@code drover agent} reads each setting from {@code DROVER_*}): {@code
   * DROVER_CONTROLLER}, {@code DROVER_NAME}, and {@code DROVER_JOIN_TOKEN} and {@code
   * DROVER_CA_FINGERPRINT} when there are any.
   */
  public Map<String, String> environment(
      String controllerAddress, String nodeName, ProvisionRequest request) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DROVER_CONTROLLER", controllerAddress);
    env.put("DROVER_NAME", nodeName);
    String t = tokenFor(request);
    if (!t.isEmpty()) {
      env.put("DROVER_JOIN_TOKEN", t);
    }
    String fingerprint = caFingerprintFor(request);
    if (!fingerprint.isEmpty()) {
      env.put("DROVER_CA_FINGERPRINT", fingerprint);
    }
    return env;
  }

  @Override
  public String toString() {
    // Never print the token.
    return "AgentJoin[token="
        + (token.isEmpty() ? "none" : "set")
        + ", caFingerprint="
        + (caFingerprint.isEmpty() ? "none" : caFingerprint)
        + "]";
  }
}
