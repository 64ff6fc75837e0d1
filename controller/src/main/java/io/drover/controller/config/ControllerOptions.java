package io.drover.controller.config;

import io.drover.common.config.Settings;
import io.drover.common.metrics.MetricsConfig;

/**
 * How the controller faces its callers, apart from what it schedules: TLS on the gRPC port, who may
 * call the admin API, and where its metrics go.
 */
public record ControllerOptions(ControllerTls tls, AccessConfig access, MetricsConfig metrics) {

  /** From the settings of {@code drover controller}. */
  public static ControllerOptions from(Settings settings) {
    return new ControllerOptions(
        ControllerTls.from(settings), AccessConfig.from(settings), MetricsConfig.from(settings));
  }

  /**
   * Plaintext, no access control and artifacts without sha256, as dev mode and in-process tests
   * run; the controller refuses to start so unless it listens on loopback.
   */
  public static ControllerOptions plaintextDev() {
    return new ControllerOptions(
        ControllerTls.off(),
        AccessConfig.defaults().withAuth(false).withRequireArtifactSha256(false),
        MetricsConfig.defaults());
  }

  public ControllerOptions withTls(ControllerTls tls) {
    return new ControllerOptions(tls, access, metrics);
  }

  public ControllerOptions withAccess(AccessConfig access) {
    return new ControllerOptions(tls, access, metrics);
  }
}
