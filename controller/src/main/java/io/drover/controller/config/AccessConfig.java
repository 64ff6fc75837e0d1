package io.drover.controller.config;

import io.drover.common.config.Settings;

/**
 * Who may call the admin API, how much any caller may send, and what a catalog must say.
 *
 * @param authEnabled whether admin calls need a token or certificate with a role
 * @param controlMaxMessageBytes largest Control API request
 * @param agentTelemetryPerSecond telemetry messages per agent stream a second
 * @param agentReportsPerSecond overload and error reports per agent stream a second
 * @param requireArtifactSha256 whether every artifact of a catalog must name its sha256
 */
public record AccessConfig(
    boolean authEnabled,
    int controlMaxMessageBytes,
    int agentTelemetryPerSecond,
    int agentReportsPerSecond,
    boolean requireArtifactSha256) {

  public static AccessConfig from(Settings s) {
    return new AccessConfig(
        s.get(ControllerSettings.AUTH_ENABLED),
        Math.toIntExact(s.get(ControllerSettings.CONTROL_MAX_MESSAGE_BYTES)),
        s.get(ControllerSettings.LIMITS_AGENT_TELEMETRY_PER_SECOND),
        s.get(ControllerSettings.LIMITS_AGENT_REPORTS_PER_SECOND),
        s.get(ControllerSettings.ARTIFACTS_REQUIRE_SHA256));
  }

  /** Every default: access control on. */
  public static AccessConfig defaults() {
    return new AccessConfig(
        ControllerSettings.AUTH_ENABLED.defaultValue(),
        Math.toIntExact(ControllerSettings.CONTROL_MAX_MESSAGE_BYTES.defaultValue()),
        ControllerSettings.LIMITS_AGENT_TELEMETRY_PER_SECOND.defaultValue(),
        ControllerSettings.LIMITS_AGENT_REPORTS_PER_SECOND.defaultValue(),
        ControllerSettings.ARTIFACTS_REQUIRE_SHA256.defaultValue());
  }

  public AccessConfig withAuth(boolean enabled) {
    return new AccessConfig(
        enabled,
        controlMaxMessageBytes,
        agentTelemetryPerSecond,
        agentReportsPerSecond,
        requireArtifactSha256);
  }

  public AccessConfig withRates(int telemetryPerSecond, int reportsPerSecond) {
    return new AccessConfig(
        authEnabled,
        controlMaxMessageBytes,
        telemetryPerSecond,
        reportsPerSecond,
        requireArtifactSha256);
  }

  public AccessConfig withControlMaxMessageBytes(int bytes) {
    return new AccessConfig(
        authEnabled, bytes, agentTelemetryPerSecond, agentReportsPerSecond, requireArtifactSha256);
  }

  public AccessConfig withRequireArtifactSha256(boolean required) {
    return new AccessConfig(
        authEnabled,
        controlMaxMessageBytes,
        agentTelemetryPerSecond,
        agentReportsPerSecond,
        required);
  }
}
