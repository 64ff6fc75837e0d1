package io.drover.provider.ec2;

import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import java.io.IOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one table from AWS errors to {@link ProviderException.Kind}. It sees an error only after the
 * SDK's own retries (standard mode: three attempts with jittered exponential backoff) gave up.
 */
final class Ec2Errors {
  static final Set<String> THROTTLED =
      Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException");
  static final Set<String> AUTH =
      Set.of(
          "AuthFailure", "UnauthorizedOperation", "InvalidClientTokenId", "SignatureDoesNotMatch");
  static final Set<String> QUOTA =
      Set.of(
          "InstanceLimitExceeded",
          "VcpuLimitExceeded",
          "InsufficientInstanceCapacity",
          "MaxSpotInstanceCountExceeded");

  /** TerminateInstances of an instance EC2 no longer knows: it is gone, which release wants. */
  static final String INSTANCE_NOT_FOUND = "InvalidInstanceID.NotFound";

  private Ec2Errors() {}

  /** The AWS error code, or null when the failure did not come from EC2. */
  static String code(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      return service.awsErrorDetails().errorCode();
    }
    return null;
  }

  /**
   * Maps a failed call.
   *
   * @param what the call, for the message: "RunInstances"
   */
  static ProviderException map(String what, SdkException e) {
    if (e instanceof AwsServiceException service) {
      AwsErrorDetails details = service.awsErrorDetails();
      String code = details == null ? null : details.errorCode();
      String message = details == null ? null : details.errorMessage();
      int status = service.statusCode();
      String text =
          "ec2 "
              + what
              + ": "
              + (code == null ? "HTTP " + status : code)
              + ": "
              + (message == null ? service.getMessage() : message)
              + " (HTTP "
              + status
              + (service.requestId() == null ? "" : ", request " + service.requestId())
              + ")";
      return new ProviderException(kindOf(code, status), text, e);
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return new ProviderException(Kind.UNAVAILABLE, "ec2 " + what + ": " + e.getMessage(), e);
    }
    if (hasCause(e, IOException.class)) {
      return new ProviderException(
          Kind.UNAVAILABLE, "ec2 " + what + ": cannot reach EC2: " + e.getMessage(), e);
    }
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("Unable to load credentials")) {
      return new ProviderException(Kind.AUTH, "ec2 " + what + ": " + message, e);
    }
    return new ProviderException(Kind.OTHER, "ec2 " + what + ": " + message, e);
  }

  static Kind kindOf(String code, int status) {
    if (code != null) {
      if (THROTTLED.contains(code)) {
        return Kind.THROTTLED;
      }
      if (AUTH.contains(code)) {
        return Kind.AUTH;
      }
      if (QUOTA.contains(code)) {
        return Kind.QUOTA;
      }
    }
    // EC2's server errors (InternalError, Unavailable, ...) are worth retrying later, as AWS says.
    return status >= 500 ? Kind.UNAVAILABLE : Kind.OTHER;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
