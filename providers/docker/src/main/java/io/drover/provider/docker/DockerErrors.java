package io.drover.provider.docker;

import com.github.dockerjava.api.exception.DockerException;
import io.drover.provider.ProviderException;
import io.drover.provider.ProviderException.Kind;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/** Turns what docker-java throws into a {@link ProviderException} carrying the host's message. */
final class DockerErrors {
  private static final Pattern MESSAGE =
      Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private DockerErrors() {}

  static ProviderException map(String what, URI host, RuntimeException e) {
    if (e instanceof DockerException) {
      DockerException d = (DockerException) e;
      int status = d.getHttpStatus();
      String message = hostMessage(d.getMessage());
      String text = "docker " + what + ": " + message + " (HTTP " + status + ")";
      return new ProviderException(kind(status, message), text, e);
    }
    Throwable tls = e;
    while (tls != null && !(tls instanceof SSLException)) {
      tls = tls.getCause();
    }
    if (tls != null) {
      return new ProviderException(
          Kind.AUTH,
          "docker " + what + ": TLS with the Docker host " + host + " failed: " + tls.getMessage(),
          e);
    }
    Throwable cause = e;
    while (cause != null && !(cause instanceof IOException)) {
      cause = cause.getCause();
    }
    if (cause != null) {
      return new ProviderException(
          Kind.UNAVAILABLE,
          "docker " + what + ": cannot reach the Docker host " + host + ": " + cause,
          e);
    }
    return new ProviderException(Kind.OTHER, "docker " + what + ": " + e, e);
  }

  private static Kind kind(int status, String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 401 || status == 403) {
      return Kind.AUTH;
    }
    if (status == 429 || lower.contains("toomanyrequests")) {
      return Kind.THROTTLED;
    }
    if (lower.contains("no space left on device")
        || lower.contains("cannot allocate memory")
        || lower.contains("port is already allocated")) {
      return Kind.QUOTA;
    }
    if (status == 503) {
      return Kind.UNAVAILABLE;
    }
    return Kind.OTHER;
  }

  /** The Engine's {@code {"message": ...}} body, else docker-java's whole text. */
  static String hostMessage(String text) {
    if (text == null) {
      return "(no message)";
    }
    Matcher m = MESSAGE.matcher(text);
    if (m.find()) {
      return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return text.strip();
  }
}
