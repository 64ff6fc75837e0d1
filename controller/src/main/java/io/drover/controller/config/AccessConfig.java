package io.drover.controller.config;

import io.drover.common.config.Settings;

/**
 * Who may call the admin API and how much any caller may send.
 *
 * @param authEnabled whether admin calls need a token or certificate with a role
 * @param controlMaxMessageBytes largest Control API request
 * @param agentTelemetryPerSecond telemetry messages per agent stream a second
 * @param agentReportsPerSecond overload and error reports per agent stream a second
 */
public record AccessConfig(
    boolean authEnabled,
    int controlMaxMessageBytes,
    int agentTelemetryPerSecond,
    int agentReportsPerSecond) {

  public static AccessConfig from(Settings s) {
    return new AccessConfig(
        s.get(ControllerSettings.AUTH_ENABLED),
        Math.toIntExact(s.get(ControllerSettings.CONTROL_MAX_MESSAGE_BYTES)),
        s.get(ControllerSettings.LIMITS_AGENT_TELEMETRY_PER_SECOND),
        s.get(ControllerSettings.LIMITS_AGENT_REPORTS_PER_SECOND));
  }

  /** Every default: access control on. */
  public static AccessConfig defaults() {
    return new AccessConfig(
        ControllerSettings.AUTH_ENABLED.defaultValue(),
        Math.toIntExact(ControllerSettings.CONTROL_MAX_MESSAGE_BYTES.defaultValue()),
        ControllerSettings.LIMITS_AGENT_TELEMETRY_PER_SECOND.defaultValue(),
        ControllerSettings.LIMITS_AGENT_REPORTS_PER_SECOND.defaultValue());
  }

  public AccessConfig withAuth(boolean enabled) {
    return new AccessConfig(
        enabled, controlMaxMessageBytes, agentTelemetryPerSecond, agentReportsPerSecond);
  }

  public AccessConfig withRates(int telemetryPerSecond, int reportsPerSecond) {
    return new AccessConfig(
        authEnabled, controlMaxMessageBytes, telemetryPerSecond, reportsPerSecond);
  }

  public AccessConfig withControlMaxMessageBytes(int bytes) {
    return new AccessConfig(authEnabled, bytes, agentTelemetryPerSecond, agentReportsPerSecond);
  }
}
