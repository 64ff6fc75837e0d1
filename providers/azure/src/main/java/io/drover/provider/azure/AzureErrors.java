package io.drover.provider.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.identity.CredentialUnavailableException;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;

/** Turns what the Azure SDK throws into a {@link ProviderException} carrying Azure's message. */
final class AzureErrors {
  /** Azure's error codes that mean "no more room": quotas, capacity, SKU restrictions. */
  private static final Set<String> QUOTA_CODES =
      Set.of(
          "QuotaExceeded",
          "OperationNotAllowed",
          "SkuNotAvailable",
          "AllocationFailed",
          "ZonalAllocationFailed",
          "OverconstrainedAllocationRequest",
          "OverconstrainedZonalAllocationRequest");

  private AzureErrors() {}

  static ProviderException map(String what, RuntimeException e) {
    if (e instanceof ManagementException) {
      ManagementException m = (ManagementException) e;
      ManagementError error = m.getValue();
      int status = m.getResponse() == null ? 0 : m.getResponse().getStatusCode();
      String code = error == null || error.getCode() == null ? "" : error.getCode();
      String message =
          error == null || error.getMessage() == null ? m.getMessage() : error.getMessage();
      return new ProviderException(
          kind(status, code, message),
          "azure "
              + what
              + ": "
              + (code.isEmpty() ? "" : code + ": ")
              + message
              + " (HTTP "
              + status
              + ")",
          e);
    }
    if (e instanceof ClientAuthenticationException || e instanceof CredentialUnavailableException) {
      return new ProviderException(
          Kind.AUTH, "azure " + what + ": no usable credential: " + e.getMessage(), e);
    }
    if (e instanceof HttpResponseException) {
      HttpResponseException h = (HttpResponseException) e;
      int status = h.getResponse() == null ? 0 : h.getResponse().getStatusCode();
      return new ProviderException(
          kind(status, "", String.valueOf(h.getMessage())),
          "azure " + what + ": " + h.getMessage() + " (HTTP " + status + ")",
          e);
    }
    Throwable cause = e;
    while (cause != null && !(cause instanceof IOException)) {
      cause = cause.getCause();
    }
    if (cause != null || e instanceof UncheckedIOException) {
      return new ProviderException(
          Kind.UNAVAILABLE,
          "azure " + what + ": cannot reach Azure Resource Manager: " + (cause == null ? e : cause),
          e);
    }
    return new ProviderException(Kind.OTHER, "azure " + what + ": " + e, e);
  }

  private static Kind kind(int status, String code, String message) {
    if (status == 401 || status == 403) {
      return Kind.AUTH;
    }
    if (status == 429) {
      return Kind.THROTTLED;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (code.contains("Quota")
        || (QUOTA_CODES.contains(code)
            && (lower.contains("quota") || !code.equals("OperationNotAllowed")))) {
      return Kind.QUOTA;
    }
    if (status >= 500) {
      return Kind.UNAVAILABLE;
    }
    return Kind.OTHER;
  }

  static boolean isNotFound(Throwable e) {
    return e instanceof ManagementException
        && ((ManagementException) e).getResponse() != null
        && ((ManagementException) e).getResponse().getStatusCode() == 404;
  }
}
