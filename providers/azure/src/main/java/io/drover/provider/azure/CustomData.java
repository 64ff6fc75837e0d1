package io.drover.provider.azure;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The VM's custom data: a shell script that cloud-init runs on first boot. It exports the agent's
 * settings ({@code DROVER_CONTROLLER}, {@code DROVER_NAME}, {@code DROVER_JOIN_TOKEN}, {@code
 * DROVER_CA_FINGERPRINT}) and runs the install command, which installs and starts the agent.
 */
final class CustomData {
  private CustomData() {}

  static String script(String nodeName, Map<String, String> environment, String installCommand) {
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\n");
    s.append("# Written by the Drover azure provider: starts the node agent ")
        .append(nodeName)
        .append(".\n");
    s.append("set -eu\n");
    environment.forEach(
        (key, value) ->
            s.append("export ").append(key).append('=').append(quote(value)).append('\n'));
    s.append(installCommand).append('\n');
    return s.toString();
  }

  static String base64(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
  }

  /** Single-quoted for sh: a quote inside becomes '\''. */
  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
