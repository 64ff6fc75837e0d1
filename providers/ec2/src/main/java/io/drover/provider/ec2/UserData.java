package io.drover.provider.ec2;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The script cloud-init runs on a new instance's first boot: it hands the agent the controller's
 * address, its node name and the join token as flags of the install command.
 */
final class UserData {
  private UserData() {}

  static String script(
      String installCommand,
      String controllerAddress,
      String nodeName,
      String joinToken,
      String caFingerprint) {
    StringBuilder line =
        new StringBuilder(installCommand)
            .append(" --controller ")
            .append(quote(controllerAddress))
            .append(" --name ")
            .append(quote(nodeName));
    if (joinToken != null && !joinToken.isEmpty()) {
      line.append(" --join-token ").append(quote(joinToken));
    }
    if (caFingerprint != null && !caFingerprint.isEmpty()) {
      line.append(" --ca-fingerprint ").append(quote(caFingerprint));
    }
    return "#!/bin/sh\n"
        + "# Written by the Drover ec2 provider: starts the node agent "
        + nodeName
        + ".\n"
        + "set -eu\n"
        + line
        + "\n";
  }

  static String base64(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }

  /** One shell word, whatever it holds: {@code 'it'\''s'}. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
