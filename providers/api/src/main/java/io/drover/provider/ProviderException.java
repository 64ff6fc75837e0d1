package io.drover.provider;

/** The environment refused or failed; the message is the environment's own. */
public class ProviderException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, so that the controller knows whether to retry. */
  public enum Kind {
    /** Rate limited: retry later. */
    THROTTLED,
    /** Credentials missing, wrong or not allowed. */
    AUTH,
    /** A limit of the account or region (instances, vCPUs, capacity). */
    QUOTA,
    /** The provider's settings are wrong; the message names the key. */
    CONFIG,
    /** The environment cannot be reached now: retry later. */
    UNAVAILABLE,
    /** Anything else. */
    OTHER
  }

  private final Kind kind;

  public ProviderException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ProviderException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Worth trying again later without any change. */
  public boolean retryable() {
    return kind == Kind.THROTTLED || kind == Kind.UNAVAILABLE;
  }

  /**
   * Refuses a request that would take the cluster past the provider's {@code maxServers}; a
   * provider checks this before it creates anything.
   *
   * @param prefix the provider's settings prefix, such as {@code provider.ec2.}
   */
  public static void checkMaxServers(
      String prefix, int maxServers, String clusterName, int existing, int asked)
      throws ProviderException {
    if (existing + asked > maxServers) {
      throw new ProviderException(
          Kind.QUOTA,
          prefix
              + "maxServers is "
              + maxServers
              + ": cluster "
              + clusterName
              + " has "
              + existing
              + " servers and "
              + asked
              + " more were asked for");
    }
  }
}
